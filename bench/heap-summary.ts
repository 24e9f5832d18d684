/** Compares two V8 heap snapshots by constructor: what one side holds that the other does not. */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/**
 * Self size per constructor (object name, or node type for strings, code, closures…), in bytes.
 *
 * @example
 * bySelfSize("playground.heapsnapshot").get("Socket");
 */
export function bySelfSize(file: string): Map<string, { bytes: number; count: number }> {
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field));
  const totals = new Map<string, { bytes: number; count: number }>();
  for (let at = 0; at < snapshot.nodes.length; at += fields.length) {
    const type = types[snapshot.nodes[at + typeAt]];
    const key = type === "object" || type === "closure" ? `${snapshot.strings[snapshot.nodes[at + nameAt]]}${type === "closure" ? "()" : ""}` : `(${type})`;
    const total = totals.get(key) ?? { bytes: 0, count: 0 };
    total.bytes += snapshot.nodes[at + sizeAt];
    total.count++;
    totals.set(key, total);
  }
  return totals;
}

if (process.argv[1]?.includes("heap-summary")) {
  const [plainFile, liveFile, units = "1"] = process.argv.slice(2);
  const plain = bySelfSize(plainFile);
  const live = bySelfSize(liveFile);
  const per = Number(units);
  const rows = [...new Set([...plain.keys(), ...live.keys()])].map((key) => {
    const a = plain.get(key) ?? { bytes: 0, count: 0 };
    const b = live.get(key) ?? { bytes: 0, count: 0 };
    return { key, delta: b.bytes - a.bytes, plain: a, live: b };
  });
  const total = rows.reduce((sum, row) => sum + row.delta, 0);
  console.log(`playground − plain: ${(total / 1024).toFixed(0)} KiB in all, ${(total / per / 1024).toFixed(1)} KiB per unit (${per})`);
  for (const row of rows.sort((x, y) => y.delta - x.delta).slice(0, 25)) {
    console.log(`${(row.delta / per).toFixed(0).padStart(8)} B/unit  ${row.key}  (count ${row.plain.count} → ${row.live.count})`);
  }
}
