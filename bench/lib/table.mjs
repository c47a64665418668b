// The one table the bench prints (Markdown, so it can go into BENCHMARKS.md as is).

export function printTable(rows, { database, machine, minutes }) {
  const lines = [
    `Two-factor plugin benchmark — ${database}, ${machine}, ${minutes.toFixed(1)} min`,
    '',
    '| figure | measured (plugin path / baseline) | result | target | met |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.figure} | ${row.measured} | ${row.shown} | ${row.target} | ${row.met === null ? '–' : row.met ? 'yes' : '**no**'} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
