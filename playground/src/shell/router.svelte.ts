/** The page's address as reactive state, moved with the History API so reload, back and forward keep the place. */

/**
 * The current path; `go()` pushes a new history entry, the browser's back and forward update it.
 *
 * @example
 * const router = new Router();
 * router.go("/lessons/chat/2");
 * const stop = router.listen(); // call stop() to detach from popstate
 */
export class Router {
  #path = $state(location.pathname);

  get path(): string {
    return this.#path;
  }

  /** Goes to `path` (a same-origin path) as a new history entry; nothing happens when it is the current path. */
  go(path: string): void {
    if (path === this.#path) return;
    history.pushState(null, "", path);
    this.#path = path;
  }

  /** Follows back/forward; returns the unsubscribe function. */
  listen(): () => void {
    const onPop = () => (this.#path = location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }

  /** A click handler for `<a href>` that routes in-page, leaving modified clicks (new tab, …) to the browser. */
  follow = (event: MouseEvent): void => {
    const link = event.currentTarget as HTMLAnchorElement;
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.origin !== location.origin || link.target) return;
    event.preventDefault();
    this.go(link.pathname);
  };
}
