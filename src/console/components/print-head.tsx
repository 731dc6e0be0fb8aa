/** The header a government document carries when printed (hidden on screen): issuer, title, dates. */
export function PrintHead(props: { issuer: string; title: string; date: string }) {
  return (
    <header class="print-head">
      <p class="issuer">{props.issuer}</p>
      <p class="doc-title">{props.title}</p>
      <p class="doc-date">{props.date}</p>
    </header>
  );
}
