/** An oracle for "does the real Socket.IO 4.8 API allow this chain": TypeScript checks it against socket.io's own .d.ts. */
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fileName = `${root}tests/console/__chains__.ts`;
const header = 'import type { Server, Socket } from "socket.io";\ndeclare const io: Server;\ndeclare const socketA: Socket;\n';

/**
 * Type-checks each expression (`io.to("r").emit("x")`, with `socketA` for `socket("A")`) and tells which
 * ones socket.io's type definitions accept.
 *
 * @example
 * typeCheck(['io.to("r").emit("x")', 'io.to("r").join("x")']); // [true, false]
 */
export function typeCheck(expressions: string[]): boolean[] {
  const source = header + expressions.map((expression, index) => `export function chain${index}() { return ${expression}; }\n`).join("");
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ["node"],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = ((exists) => (name: string) => name === fileName || exists(name))(host.fileExists.bind(host));
  host.getSourceFile = (name, language, onError, create) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, onError, create);
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName)!;
  const failed = new Set<number>();
  for (const diagnostic of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
    const line = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
    failed.add(line - 3); // the header takes three lines
  }
  if (failed.has(-3) || failed.has(-2) || failed.has(-1)) throw new Error("The type oracle's header does not compile: is socket.io installed?");
  return expressions.map((_, index) => !failed.has(index));
}
