/** Which key presses belong to the page's shortcuts and which to the control that has focus. */

/**
 * True when `target` uses typing or arrow keys itself (text fields, terminal, sliders, separators), so
 * page shortcuts must leave the key to it.
 *
 * @example
 * if (!ownsKeys(event.target)) goNext();
 */
export function ownsKeys(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  const role = target.getAttribute("role");
  if (role && ["textbox", "combobox", "slider", "separator", "spinbutton", "listbox", "menu", "tablist"].includes(role)) return true;
  return target.closest(".xterm, dialog[open]") !== null;
}

/** True when a modifier other than Shift is held (browser and OS shortcuts). */
export function hasModifier(event: KeyboardEvent): boolean {
  return event.ctrlKey || event.metaKey || event.altKey;
}
