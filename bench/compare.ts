/**
 * `npm run bench:compare -- <scale 1 results.md> <scale 10 results.md>`
 *
 * Reads two reports written by `npm run bench` and prints, for every cell both ran, the second's
 * p99 over the first's with the verdict (scale 10 p99 within 1.5x of scale 1).
 */
import fs from 'node:fs';

interface Cell {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The rows of a report's table, keyed by operation | target | connections. */
function cells(file: string): Map<string, Cell> {
  const rows = new Map<string, Cell>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const columns = line.split('|').map((c) => c.trim());
    // | operation | target | conns | req/s | p50 | p95 | p99 | errors | ...
    if (columns.length < 10 || !/^\d+$/.test(columns[3] ?? '')) continue;
    rows.set(`${columns[1]} | ${columns[2]} | ${columns[3]}`, {
      rps: Number(columns[4]),
      p50: Number(columns[5]),
      p99: Number(columns[7]),
      errors: Number(columns[8]),
    });
  }
  return rows;
}

const [baseFile, otherFile] = process.argv.slice(2);
if (!baseFile || !otherFile) {
  console.error('usage: npm run bench:compare -- <base results.md> <other results.md>');
  process.exit(2);
}
const base = cells(baseFile);
const other = cells(otherFile);
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
console.log(
  `| operation | target | conns | p99 base ms | p99 other ms | ratio | req/s base | req/s other | within 1.5x |`,
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
for (const [key, a] of base) {
  const b = other.get(key);
  if (!b) continue;
  const ratio = b.p99 / a.p99;
  console.log(
    `| ${key} | ${fmt(a.p99)} | ${fmt(b.p99)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'} | ${fmt(a.rps)} | ${fmt(b.rps)} | ${Number.isFinite(ratio) ? (ratio <= 1.5 ? 'yes' : 'NO') : 'n/a'} |`,
  );
}
