#!/usr/bin/env node
// Draws the app's icons (public/icons/*.png) from the same shapes as
// public/favicon.svg: a large "teacher" disc passing a label to a small
// "student" disc. Run by hand after changing the design: `node build/make-icons.mjs`.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [0x1f, 0x6f, 0x5c];
const FG = [0xff, 0xff, 0xff];

// Shapes in a 0..1 square: signed distances (negative inside).
const disc = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const [px, py, dx, dy] = [x - ax, y - ay, bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - w / 2;
};
const SHAPES = [disc(0.36, 0.38, 0.17), disc(0.69, 0.68, 0.1), segment(0.45, 0.5, 0.62, 0.62, 0.07)];

/** RGBA pixels; `pad` shrinks the drawing (maskable icons keep a safe zone); `round` corner radius (0..0.5). */
function draw(size, { pad = 0, round = 0.18 } = {}) {
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) / size,
        y = (j + 0.5) / size;
      // Rounded-square background (full square when round = 0).
      const qx = Math.max(Math.abs(x - 0.5) - (0.5 - round), 0),
        qy = Math.max(Math.abs(y - 0.5) - (0.5 - round), 0);
      const bgD = Math.hypot(qx, qy) - round;
      const sx = (x - pad) / (1 - 2 * pad),
        sy = (y - pad) / (1 - 2 * pad);
      const fgD = Math.min(...SHAPES.map((s) => s(sx, sy))) * (1 - 2 * pad);
      const aa = 1 / size;
      const bgA = Math.min(1, Math.max(0, 0.5 - bgD / aa));
      const fgA = Math.min(1, Math.max(0, 0.5 - fgD / aa));
      const o = (j * size + i) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(BG[c] * (1 - fgA) + FG[c] * fgA);
      px[o + 3] = Math.round(255 * bgA);
    }
  }
  return px;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), png(192, draw(192)));
writeFileSync(new URL('icon-512.png', out), png(512, draw(512)));
writeFileSync(new URL('maskable-512.png', out), png(512, draw(512, { pad: 0.12, round: 0 })));
writeFileSync(new URL('apple-touch-icon.png', out), png(180, draw(180, { pad: 0.06, round: 0 })));
console.log('wrote public/icons/{icon-192,icon-512,maskable-512,apple-touch-icon}.png');
