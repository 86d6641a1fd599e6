import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readerTolerant } from '../../src/io.js';

function fakeStream() {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const written: string[] = [];
  s.on('data', (c) => written.push(String(c)));
  return { s, written };
}

describe('readerTolerant', () => {
  it('passes output through while the reader is there', () => {
    const { s, written } = fakeStream();
    const out = readerTolerant(s as unknown as NodeJS.WriteStream);
    out.write('TASK [a]\n');
    expect(written.join('')).toBe('TASK [a]\n');
  });

  it('drops output once the reader has gone (EPIPE) instead of throwing', () => {
    const { s, written } = fakeStream();
    const out = readerTolerant(s as unknown as NodeJS.WriteStream);
    s.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(() => out.write('ok: [h1]\n')).not.toThrow();
    expect(written).toEqual([]);
  });

  it('still surfaces other stream errors', () => {
    const { s } = fakeStream();
    readerTolerant(s as unknown as NodeJS.WriteStream);
    expect(() => s.emit('error', Object.assign(new Error('EIO'), { code: 'EIO' }))).toThrow('EIO');
  });

  it('reports the stream\'s terminal properties as they are now', () => {
    const { s } = fakeStream();
    const out = readerTolerant(s as unknown as NodeJS.WriteStream);
    s.isTTY = true;
    s.columns = 132;
    expect([out.isTTY, out.columns]).toEqual([true, 132]);
  });
});
