/**
 * Facts that read several things in one command print each under a marker line (`<mark><name>`);
 * this splits such output back into name -> text. Pure.
 */
export function outputSections(stdout: string, mark: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of stdout.split(mark).slice(1)) {
    const nl = part.indexOf('\n');
    sections.set(nl < 0 ? part : part.slice(0, nl), nl < 0 ? '' : part.slice(nl + 1));
  }
  return sections;
}
