// Charts leave the app as standalone SVG (for papers: vector, editable) or
// PNG (for slides). Plot draws plain SVG with its styles inline, so
// serialising the element is enough; PNG goes SVG → <img> → <canvas>.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The chart's main <svg> inside a Plot figure (or the element itself). */
export function chartSvg(root: Element | null): SVGSVGElement | null {
  if (!root) return null;
  if (root instanceof SVGSVGElement) return root;
  // A figure holds legend swatches (small svgs) before the plot; the plot is the largest.
  const all = [...root.querySelectorAll('svg')];
  return all.sort((a, b) => area(b) - area(a))[0] ?? null;
}

function area(svg: SVGSVGElement): number {
  return Number(svg.getAttribute('width') ?? 0) * Number(svg.getAttribute('height') ?? 0);
}

/** A standalone SVG document: namespaces, explicit size and a white background. */
export function serializeSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', SVG_NS);
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const { width, height } = sizeOf(svg);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', 'white');
  copy.insertBefore(bg, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  if (w > 0 && h > 0) return { width: w, height: h };
  const box = svg.getBoundingClientRect();
  return { width: Math.ceil(box.width) || 640, height: Math.ceil(box.height) || 400 };
}

/** Rasterises an SVG at `scale`× its size into a PNG blob. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = sizeOf(svg);
  const url = URL.createObjectURL(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image(width, height);
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw the chart into an image.');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The chart could not be turned into a PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
