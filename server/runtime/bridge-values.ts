/** Data crossing the bridge is JSON text, measured in bytes and nesting before anyone parses or sends it. */

/** A size or nesting budget for one value. */
export interface ValueBudget {
  valueBytes: number;
  valueDepth: number;
}

/**
 * How deeply a JSON text nests (arrays and objects), read iteratively without parsing it.
 *
 * @example
 * jsonDepth('[1, {"a": [2]}]'); // 3
 */
export function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index);
    if (inString) {
      if (char === 92 /* \ */) index++;
      else if (char === 34 /* " */) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 91 /* [ */ || char === 123 /* { */) deepest = Math.max(deepest, ++depth);
    else if (char === 93 /* ] */ || char === 125 /* } */) depth--;
  }
  return deepest;
}

/** Why a value may not cross, in a sentence; undefined when it may. */
export function valueProblem(json: string, budget: ValueBudget, what: string): string | undefined {
  const bytes = Buffer.byteLength(json);
  if (bytes > budget.valueBytes) {
    return `${what} is ${Math.ceil(bytes / 1024)} KiB of data, over the ${Math.floor(budget.valueBytes / 1024)} KiB limit; send less.`;
  }
  if (jsonDepth(json) > budget.valueDepth) return `${what} nests deeper than ${budget.valueDepth} levels; flatten it.`;
  return undefined;
}

/**
 * Parses JSON text the guest sent, after measuring it; throws an Error the guest sees at its line.
 *
 * @example
 * fromGuest('["hi"]', budget, "The data of this emit"); // ["hi"]
 */
export function fromGuest(json: string, budget: ValueBudget, what: string): unknown {
  const problem = valueProblem(json, budget, what);
  if (problem) throw new RangeError(problem);
  return JSON.parse(json);
}

/**
 * Host data as JSON text for the guest, or a sentence saying why it cannot go (too big, too deep, not JSON).
 *
 * @example
 * toGuest(["hi"], budget, "B's event"); // { json: '["hi"]' }
 */
export function toGuest(value: unknown, budget: ValueBudget, what: string): { json: string } | { problem: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return { problem: `${what} cannot be turned into JSON (it is circular or too deep).` };
  }
  json ??= "null";
  const problem = valueProblem(json, budget, what);
  return problem ? { problem } : { json };
}
