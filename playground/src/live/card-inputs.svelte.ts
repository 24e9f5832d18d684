/** What a learner has typed and ticked in one card: reset to the lesson's defaults at every step. */
import { SvelteSet } from "svelte/reactivity";

/** The values a step opens a card with. */
export interface CardDefaults {
  event: string;
  namespace: string;
  auth: string;
}

/**
 * One card's fields and notes. A step resets them, so nothing typed for one step leaks into the next.
 *
 * @example
 * const inputs = new CardInputs({ event: "chat message", namespace: "/", auth: "" });
 * inputs.event = "shout";
 * inputs.reset({ event: "chat message", namespace: "/", auth: "" }); // event is "chat message" again
 */
export class CardInputs {
  event = $state("");
  message = $state("");
  room = $state("");
  /** Send passes the room to the program as a second argument. */
  toRoom = $state(false);
  namespace = $state("/");
  auth = $state("");
  /** A one-line answer to the last room request or send, for this step only. */
  note = $state<string | undefined>();
  /** The chat-page view instead of the raw event log. */
  chatView = $state(false);
  /**
   * Ids of this client's sent chat messages that its chat view shows itself: sent while the server no longer
   * echoed messages to their sender. Kept across steps, like the log it refers to.
   */
  readonly ownShown = new SvelteSet<number>();

  constructor(defaults: CardDefaults) {
    this.reset(defaults);
  }

  /** Back to the step's starting values: default event, empty message and room, no notes. */
  reset({ event, namespace, auth }: CardDefaults): void {
    this.event = event;
    this.message = "";
    this.room = "";
    this.toRoom = false;
    this.namespace = namespace;
    this.auth = auth;
    this.note = undefined;
  }
}
