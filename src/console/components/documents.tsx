import type { DocumentView } from '../../documents/links.ts';

/** What the file picker offers: the kinds of evidence the server takes (it checks the bytes). */
export const documentAccept = '.pdf,.png,.jpg,.jpeg,.gif,.webp,.tif,.tiff,.docx,.xlsx';

const kiB = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KiB`;

/** Attached documents as download links, each with its size. */
export function DocumentLinks(props: { documents: DocumentView[] }) {
  if (props.documents.length === 0) return <>—</>;
  return (
    <>
      {props.documents.map((d) => (
        <>
          <a href={`/api/v1/documents/${encodeURIComponent(d.id)}`} download={d.name} class="document">
            {d.name}
          </a>{' '}
          <small>({kiB(d.bytes)})</small>{' '}
        </>
      ))}
    </>
  );
}

/**
 * A file input whose files the page script uploads as documents and sends as `field` (their
 * ids); named with `_` so the script-less fallback, which cannot carry files, leaves it out.
 */
export function DocumentsInput(props: { label: string; field?: string }) {
  return (
    <label>
      {props.label}
      <input type="file" name="_documents" data-field={props.field ?? 'documents'} multiple accept={documentAccept} />
    </label>
  );
}
