// Bring your own model: an .onnx file picked with #model-file or dropped
// anywhere on the page is handed to `onFile`; #builtin-model (shown while a
// model of your own is in use) calls `onBuiltin`. Loading and checking the
// file is the caller's job (the wasm Recognizer constructor says what is wrong).

export class ModelPicker {
  /**
   * @param {object} els
   * @param {HTMLInputElement} els.input the file input
   * @param {HTMLButtonElement} els.builtin the "use the built-in model" button
   * @param {HTMLElement} els.overlay shown while a file is dragged over the page
   * @param {HTMLElement} els.name says which model is in use
   * @param {object} handlers
   * @param {(file: File) => void} handlers.onFile
   * @param {() => void} handlers.onBuiltin
   */
  constructor({ input, builtin, overlay, name }, { onFile, onBuiltin }) {
    this.el = { input, builtin, overlay, name };
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      // Reset, so choosing the same file again (after fixing it) fires `change` again.
      input.value = '';
      if (file) onFile(file);
    });
    builtin.addEventListener('click', () => onBuiltin());

    const hasFiles = (e) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    let depth = 0; // dragenter/dragleave pairs, one per element crossed
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth += 1;
      overlay.hidden = false;
    });
    document.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // allows the drop
      e.dataTransfer.dropEffect = 'copy';
    });
    document.addEventListener('dragleave', (e) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) overlay.hidden = true;
    });
    document.addEventListener('drop', (e) => {
      if (!hasFiles(e) && !(e.dataTransfer?.files?.length > 0)) return;
      e.preventDefault(); // never let the browser open the file instead
      depth = 0;
      overlay.hidden = true;
      const file = e.dataTransfer.files?.[0];
      if (file) onFile(file);
    });
  }

  /** Say which model is in use; `custom` shows the way back to the built-in one. */
  showModel(label, { custom }) {
    this.el.name.textContent = `Model: ${label}`;
    this.el.builtin.hidden = !custom;
  }
}
