// Types for digit-input.js: the <digit-input> custom element.

/** Where a digit was read, in CSS pixels of the element's box. */
export interface DigitBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One digit of the number read, left to right. */
export interface DigitReading {
  digit: number;
  /** Probability of `digit` (1 for a typed digit). */
  confidence: number;
  /** The reading passed the "not sure" rule (top probability ≥ 0.6). */
  sure: boolean;
  /** The second best guess (null for a typed digit). */
  runnerUp: number | null;
  runnerUpConfidence: number;
  /** Where it was written (null for a typed digit). */
  box: DigitBox | null;
}

/** What the element reads now. */
export interface Reading {
  /** The number read, as a string of digits ("" when nothing is read). */
  readonly value: string;
  readonly digits: readonly DigitReading[];
  /** Every digit passed the "not sure" rule (true when empty). */
  readonly sure: boolean;
  /** The value was typed (keyboard or the `value` property), not written. */
  readonly typed: boolean;
}

/** `input` (while the pen moves) and `change` (once the writing settled) from a <digit-input>. */
export class DigitInputEvent extends Event {
  constructor(type: 'input' | 'change', reading: Reading, init?: EventInit);
  readonly value: string;
  readonly digits: readonly DigitReading[];
  readonly sure: boolean;
  readonly typed: boolean;
}

/** Which files the page's one engine loads. URLs are relative to the document. */
export interface EngineSetting {
  /** The recognizer's WebAssembly (default: dist/lenet5_bg.wasm next to digit-input.js). */
  wasm?: string | URL;
  /** The ONNX model (default: dist/lenet5.onnx next to digit-input.js); a LeNet-shaped graph. */
  model?: string | URL;
  /** Subresource Integrity digests ("sha384-…") for them. */
  integrity?: { wasm?: string; model?: string };
}

export interface DigitInputElementEventMap extends HTMLElementEventMap {
  input: DigitInputEvent;
  change: DigitInputEvent;
}

/**
 * `<digit-input>`: a form field written by hand (mouse, touch or pen) or typed, read offline by
 * LeNet-5 in WebAssembly. Form-associated: submits `name=value`, resets, validates.
 *
 * Attributes: `name`, `digits`, `required`, `disabled`, `placeholder`, `wasm-src`, `model-src`
 * (engine URLs; the first element's win, one engine per page), `aria-label`, `aria-labelledby`.
 * CSS: `--digit-input-ink`, `--digit-input-paper`, `--digit-input-accent`, `--digit-input-unsure`,
 * `--digit-input-pen-width` (`4px`, `5%` or `0.045` of the shorter side); parts `field`, `pad`,
 * `clear`; states `:state(empty)`, `drawing`, `typed`, `unsure`, `loading`, `ready`, `error`,
 * `user-invalid`.
 */
export class DigitInputElement extends HTMLElement {
  static readonly formAssociated: true;
  /** The engine setting in use (or to be used); set it before the first element connects. */
  static get engine(): { wasm: string; model: string; integrity: { wasm?: string; model?: string }; started: boolean };
  static set engine(value: EngineSetting | null);
  /** Start loading the engine before any element connects; resolves when it is ready. */
  static preload(): Promise<void>;
  /** The default wasm and model URLs, next to the module. */
  static readonly defaults: { wasm: string; model: string };

  /** The number read ("" when nothing is); setting it types a value (digits only), no events. */
  value: string;
  name: string;
  /** How many digits are expected (0: any). */
  digits: number;
  required: boolean;
  disabled: boolean;
  placeholder: string;
  readonly type: 'digit-input';
  readonly reading: Reading;
  readonly sure: boolean;
  readonly strokeCount: number;
  /** Resolves when the page's engine is ready; rejects if it could not load. */
  readonly ready: Promise<void>;

  readonly form: HTMLFormElement | null;
  readonly labels: NodeList;
  readonly validity: ValidityState;
  readonly validationMessage: string;
  readonly willValidate: boolean;
  checkValidity(): boolean;
  reportValidity(): boolean;
  setCustomValidity(message: string): void;

  /** Clear the writing (no events). */
  clear(): void;
  /** Take back the last stroke or typed digit (no events). */
  undo(): void;

  addEventListener<K extends keyof DigitInputElementEventMap>(
    type: K,
    listener: (this: DigitInputElement, ev: DigitInputElementEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof DigitInputElementEventMap>(
    type: K,
    listener: (this: DigitInputElement, ev: DigitInputElementEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export default DigitInputElement;

declare global {
  interface HTMLElementTagNameMap {
    'digit-input': DigitInputElement;
  }
}
