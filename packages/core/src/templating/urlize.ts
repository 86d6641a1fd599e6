/**
 * Jinja2's `urlize` filter (3.1), as Ansible's Templar runs it: the text is HTML-escaped first, then
 * each whitespace-separated word that reads as a web address, an e-mail address or (when asked) a URI
 * with one of `extra_schemes` becomes a link. Ansible's environment has Jinja2's default policies:
 * `rel="noopener"`, no target, no extra schemes.
 *
 * Python's `\w`, `\d` and `\S` are Unicode-aware on str patterns: the patterns below use the `u` flag
 * and Unicode classes for the same reading.
 */
import { FilterError } from './errors.js';

/** Python's `\w` and `\d` on str patterns, as the insides of a character class. */
const WORD = '\\p{L}\\p{N}_';
const DIGIT = '\\p{Nd}';

/** A web address: scheme or www. with a domain, a bare domain in a classic TLD, or an IP with a scheme. */
const HTTP_RE = new RegExp(
  '^(' +
    `(https?://|www\\.)(([${WORD}%-]+\\.)+)?([a-z]{2,63}|xn--[${WORD}%]{2,59})` +
    `|([${WORD}%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)` +
    `|(https?://)((([${DIGIT}]{1,3})(\\.[${DIGIT}]{1,3}){3})|(\\[([${DIGIT}a-f]{0,4}:){2}([${DIGIT}a-f]{0,4}:?){1,6}\\]))` +
    ')' +
    `(?::[${DIGIT}]{1,5})?` +
    '(?:[/?#]\\S*)?$',
  'iu',
);
const EMAIL_RE = new RegExp(`^\\S+@[${WORD}][${WORD}.-]*\\.[${WORD}]+$`, 'u');
const SCHEME_RE = /^([\p{L}\p{N}_.+-]{2,}:(\/){0,2})$/u;

/** markupsafe's escape. */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;').replace(/"/g, '&#34;');
}

export interface UrlizeOptions {
  trimUrlLimit?: number | null;
  nofollow?: boolean;
  target?: string | null;
  rel?: string | null;
  extraSchemes?: string[] | null;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

export function urlize(text: string, o: UrlizeOptions = {}): string {
  const relParts = new Set((o.rel ?? '').split(/\s+/).filter(Boolean));
  if (o.nofollow) relParts.add('nofollow');
  relParts.add('noopener'); // the policy urlize.rel
  const rel = [...relParts].sort().join(' ');
  const extraSchemes = o.extraSchemes ?? [];
  for (const scheme of extraSchemes) {
    if (!SCHEME_RE.test(scheme)) throw new FilterError(`'${scheme}' is not a valid URI scheme prefix.`);
  }
  const limit = o.trimUrlLimit;
  const trim = (x: string): string => (limit !== undefined && limit !== null && x.length > limit ? `${x.slice(0, limit)}...` : x);
  const relAttr = rel ? ` rel="${escape(rel)}"` : '';
  const targetAttr = o.target ? ` target="${escape(o.target)}"` : '';

  const words = escape(text).split(/(\s+)/u);
  return words
    .map((word) => {
      let head = '';
      let middle = word;
      let tail = '';
      const lead = /^([(<]|&lt;)+/.exec(middle);
      if (lead) {
        head = lead[0];
        middle = middle.slice(lead[0].length);
      }
      const trailing = /([)>.,\n]|&gt;)+$/.exec(middle);
      if (trailing) {
        tail = trailing[0];
        middle = middle.slice(0, trailing.index);
      }
      // An opening bracket inside the address claims its closing one back from the tail.
      for (const [open, close] of [['(', ')'], ['<', '>'], ['&lt;', '&gt;']] as const) {
        const opens = count(middle, open);
        if (opens <= count(middle, close)) continue;
        const moves = Math.min(opens, count(tail, close));
        for (let i = 0; i < moves; i++) {
          const end = tail.indexOf(close) + close.length;
          middle += tail.slice(0, end);
          tail = tail.slice(end);
        }
      }
      if (HTTP_RE.test(middle)) {
        const href = middle.startsWith('https://') || middle.startsWith('http://') ? middle : `https://${middle}`;
        middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      } else if (middle.startsWith('mailto:') && EMAIL_RE.test(middle.slice(7))) {
        middle = `<a href="${middle}">${middle.slice(7)}</a>`;
      } else if (middle.includes('@') && !middle.startsWith('www.') && !middle.includes(':') && EMAIL_RE.test(middle)) {
        // Jinja2 3.1.2 (Debian's, Ansible's) still links `@a@b`-like words; later versions skip them.
        middle = `<a href="mailto:${middle}">${middle}</a>`;
      } else {
        for (const scheme of extraSchemes) {
          if (middle !== scheme && middle.startsWith(scheme)) middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
        }
      }
      return head + middle + tail;
    })
    .join('');
}
