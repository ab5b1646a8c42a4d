/** Saving a file from the page: a Blob behind a temporary object URL and an <a download>. */

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function saveText(text: string, filename: string, type: string): void {
  saveBlob(new Blob([text], { type }), filename);
}

/** A file-name-safe stem: `fork-cow.msh` -> `fork-cow`. */
export function stem(name: string): string {
  return (name.replace(/\.msh$/, '').replace(/[^\w.-]+/g, '_') || 'mshare').slice(0, 60);
}
