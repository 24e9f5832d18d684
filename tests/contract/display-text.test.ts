/** displayText: what a participant sent, shown without steering the owner's terminal or page. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { displayText } from "../../contract/display-text.ts";

describe("displayText", () => {
  it("writes terminal controls as escapes: clear screen, bell, CSI and OSC 8 links", () => {
    expect(displayText("hi\x1b[2J\x1b[H")).toBe("hi\\x1b[2J\\x1b[H");
    expect(displayText("ding\x07")).toBe("ding\\x07");
    expect(displayText("\u009b31mred")).toBe("\\u009b31mred");
    expect(displayText("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07")).toBe(
      "\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07",
    );
    expect(displayText("\u009d8;;x\u009c")).toBe("\\u009d8;;x\\u009c");
    expect(displayText("del\x7f nul\0")).toBe("del\\x7f nul\\x00");
  });

  it("keeps a forged line on its own line: newline, carriage return and tab are shown as \\n, \\r, \\t", () => {
    expect(displayText("ok\r\n[B] → server: fake")).toBe("ok\\r\\n[B] → server: fake");
    expect(displayText("a\tb")).toBe("a\\tb");
    expect(displayText("x\u2028y\u2029z")).toBe("x\\u2028y\\u2029z");
  });

  it("shows bidi overrides and isolates instead of letting them reorder the text", () => {
    expect(displayText("abc\u202edcba")).toBe("abc\\u202edcba");
    expect(displayText("\u2066x\u2069\u200f")).toBe("\\u2066x\\u2069\\u200f");
  });

  it("leaves printable text alone: accents, other scripts, emoji, quotes and backslashes", () => {
    for (const text of ["héllo", "こんにちは", "مرحبا", "👋🏽 ok", '"quoted" \\ back', ""]) expect(displayText(text)).toBe(text);
  });

  it("never lets a control character through, whatever the input (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const shown = displayText(text);
        expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        // Without any unsafe character the text is unchanged.
        if (!/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text)) expect(shown).toBe(text);
      }),
      { seed: 95, numRuns: 500 },
    );
  });
});
