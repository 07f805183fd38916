// The lines of a file, read a slice at a time: memory stays one slice plus
// one line, whatever the file's size (a 60 MB Batch output is never one
// string). A line longer than `maxLine` is not kept: its number and length
// are given instead, so a file without line breaks cannot fill memory.

/** Bytes read per slice (fixed: stream chunk sizes differ between browsers and Node). */
const READ_BYTES = 4 * 2 ** 20;

export type FileLine = { n: number; text: string } | { n: number; tooLong: number };

/**
 * Each line of `file` (UTF-8; "\n" or "\r\n"), numbered from 1, blank ones
 * included. Bytes that are not UTF-8 become U+FFFD, as a text editor shows them.
 */
export async function* fileLines(file: Blob, maxLine: number): AsyncGenerator<FileLine> {
  const decoder = new TextDecoder('utf-8');
  let n = 0;
  let parts: string[] = [];
  let len = 0; // characters of the current line so far (only kept while within maxLine)
  const end = (): FileLine => {
    n += 1;
    const line: FileLine = len > maxLine ? { n, tooLong: len } : { n, text: parts.join('').replace(/\r$/, '') };
    parts = [];
    len = 0;
    return line;
  };
  for (let offset = 0; ; offset += READ_BYTES) {
    const last = offset + READ_BYTES >= file.size;
    const piece = decoder.decode(new Uint8Array(await file.slice(offset, offset + READ_BYTES).arrayBuffer()), { stream: !last });
    for (let at = 0; at < piece.length;) {
      const nl = piece.indexOf('\n', at);
      const stop = nl < 0 ? piece.length : nl;
      len += stop - at;
      if (len <= maxLine) parts.push(piece.slice(at, stop));
      else parts = [];
      if (nl < 0) break;
      yield end();
      at = nl + 1;
    }
    if (last) break;
  }
  if (len > 0) yield end();
}
