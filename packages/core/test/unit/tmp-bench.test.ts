import { it } from 'vitest';
import { renderString } from '../../src/templating/index.js';
it('bench', () => {
  for (const n of [0, 300]) {
    const vars: Record<string, unknown> = { port: 80 };
    for (let i = 0; i < n; i++) vars[`f${i}`] = { a: i };
    for (const tpl of ['x {{ port }}', '{{ port }}', '{% for p in [1,2] %}{{ p }}{% endfor %}']) {
      renderString(tpl, vars);
      const t0 = performance.now();
      for (let i = 0; i < 5000; i++) renderString(tpl, vars);
      console.log(n, tpl, ((performance.now() - t0) / 5000 * 1000).toFixed(1), 'us');
    }
  }
});
