/** The per-host welcome page the seed edits by hand (`Welcome to nginx! 1` on .51, `2` on .52). */
export function renderIndexPage(heading: string): string {
  const text = heading.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head><meta charset="utf-8"><title>' + text + '</title></head>',
    '<body>',
    `<h1>${text}</h1>`,
    '<p>Served by nginx, installed by haweb.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
