/** The scaling lesson's page, as the browser tests read it: which server each card is on, the two switches. */
import type { Page } from "playwright-core";
import { card } from "./lesson-walker.ts";

export const statusOf = (page: Page, name: string) => card(page, name).getByRole("status").first();
export const switchNamed = (page: Page, name: string) => page.getByRole("switch", { name, exact: true });

/** Waits until the card says it is connected to some server, and answers which one ("server 1"). */
export async function serverOf(page: Page, name: string, timeout = 20_000): Promise<string> {
  await card(page, name).getByRole("status").filter({ hasText: /^connected · server \d$/ }).waitFor({ timeout });
  return (await statusOf(page, name).innerText()).replace(/^connected · /, "");
}

/** The four cards of a step with four clients, grouped: those on A's server, and the others. */
export async function groupsByServer(page: Page, timeout?: number): Promise<{ withA: string[]; elsewhere: string[] }> {
  const nodes = new Map<string, string>();
  for (const name of ["A", "B", "C", "D"]) nodes.set(name, await serverOf(page, name, timeout));
  const withA = [...nodes].filter(([, node]) => node === nodes.get("A")).map(([name]) => name);
  const elsewhere = [...nodes].filter(([, node]) => node !== nodes.get("A")).map(([name]) => name);
  return { withA, elsewhere };
}
