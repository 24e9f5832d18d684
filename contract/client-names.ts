/** How simulated clients are named and counted: one rule for the page, the lesson loader and the sandbox. */

/** How many simulated clients a learner can open at once (and a lesson step can ask for). */
export const maxClients = 16;

/**
 * "A" … "Z", then "AA", "AB", …
 *
 * @example
 * clientName(0); // "A"
 * clientName(26); // "AA"
 */
export function clientName(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : clientName(Math.floor(index / 26) - 1) + letter;
}

/**
 * True for a name `clientName` can produce (what a simulated client may call itself).
 *
 * @example
 * isClientName("AB"); // true
 * isClientName("External 1"); // false
 */
export function isClientName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Z]{1,2}$/.test(name);
}

/**
 * Orders client names as the cards are: A … Z, AA …, then External 1, External 2 … External 10.
 *
 * @example
 * ["External 10", "C", "External 2", "AA", "B"].sort(compareClientNames); // ["B", "C", "AA", "External 2", "External 10"]
 */
export function compareClientNames(a: string, b: string): number {
  const rank = (name: string): [number, number, string] => {
    const external = /^External (\d+)$/.exec(name);
    if (external) return [1, Number(external[1]), ""];
    return isClientName(name) ? [0, name.length, name] : [2, 0, name];
  };
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
}
