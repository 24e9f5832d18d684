/** The console grammar's public face: parse a line, print a command canonically, complete a line. */
export { parseCommand, parseChainPrefix, type ParseResult, type ParsedChain } from "./console-parser.ts";
export { printCommand, printChain, type ChainStep, type ChainTarget, type ConsoleCommand, type JsonValue } from "./console-printer.ts";
export { complete, commonPrefix, type CompletionNames } from "./console-completion.ts";
export type { SyntaxProblem } from "./console-tokens.ts";
export { maxTimeout, type Receiver, type StepName } from "./console-grammar.ts";
export { isConsoleCommand, placeholdersIn, fillPlaceholders } from "./lesson-commands.ts";
