export interface Choice {
  value: string;
  label: string;
}

export interface ChoiceFieldProps {
  label: string;
  name: string;
  choices: readonly Choice[];
  selected?: string | null;
  /** A first, empty choice: "all" in a filter, "any" or "none" in a form. */
  blank?: string;
}

/** A labelled select of fixed choices, the current one selected. */
export function ChoiceField(props: ChoiceFieldProps) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        {props.blank === undefined ? null : <option value="">{props.blank}</option>}
        {props.choices.map((choice) => (
          <option value={choice.value} selected={props.selected === choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Choices from a list of values, each labelled by `label`. */
export const choicesOf = <T extends string>(values: readonly T[], label: (value: T) => string): Choice[] =>
  values.map((value) => ({ value, label: label(value) }));
