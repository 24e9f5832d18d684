/** Constructors with some arguments bound in, made per server at the cost of a small object, not a class. */

/**
 * A constructor that builds `Class` with `args` first: `new (boundConstructor(Class, a))(b)` is `new Class(a, b)`.
 * Socket.IO takes classes it calls with `new` (the adapter, the parser's decoder); each sandbox's server needs its
 * own arguments in them. Not a subclass per server (its own shapes, prototype and code) and not
 * `Class.bind(null, a)`: under tsx, esbuild's keepNames redefines every named class's `name`, and V8 then gives
 * each function bound from it a property dictionary (250 bytes per server).
 *
 * @example
 * const Decoder = boundConstructor(MeasuringDecoder, ledger, rules);
 * new Decoder(); // new MeasuringDecoder(ledger, rules)
 */
export function boundConstructor<Bound extends unknown[], Rest extends unknown[], Made extends object>(
  Class: new (...args: [...Bound, ...Rest]) => Made,
  ...args: Bound
): new (...rest: Rest) => Made {
  return (construct as (...made: unknown[]) => object).bind(null, Class, ...args) as unknown as new (...rest: Rest) => Made;
}

// An anonymous function (taken out of an array, so keepNames does not name it), so that what is bound from it keeps
// fast properties. Called with `new`, it returns the object `Class` made.
const construct = [
  function (Class: new (...args: unknown[]) => object, ...args: unknown[]): object {
    return new Class(...args);
  },
][0];
