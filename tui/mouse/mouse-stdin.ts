// The stdin Ink reads when the mouse is on: the terminal's input with the SGR mouse reports cut out
// (sgr-mouse.ts) and emitted as 'mouse' events instead. Raw mode, ref and unref go to the real
// stdin, so Ink handles the terminal exactly as before.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { splitMouse, type MouseEvent } from './sgr-mouse.js';

export interface MouseStdin {
  /** Pass to Ink's render({stdin}). */
  stdin: NodeJS.ReadStream;
  /** Emits 'mouse' with a MouseEvent. */
  mouse: EventEmitter<{ mouse: [MouseEvent] }>;
}

export function mouseStdin(source: NodeJS.ReadStream): MouseStdin {
  const out = new PassThrough() as PassThrough & Partial<NodeJS.ReadStream>;
  const mouse = new EventEmitter<{ mouse: [MouseEvent] }>();
  let pending = '';
  let listening = false;
  const onData = (chunk: Buffer | string): void => {
    const split = splitMouse(pending + chunk.toString());
    pending = split.pending;
    if (split.text) out.write(split.text);
    // After Ink has read the text written before them (it reads on the stream's nextTick), so
    // typed keys and then a click are handled in that order (the keys' line: keypress-context).
    if (split.events.length) process.nextTick(() => { for (const e of split.events) mouse.emit('mouse', e); });
  };
  Object.assign(out, {
    isTTY: source.isTTY,
    setRawMode(mode: boolean) {
      source.setRawMode(mode);
      // Read the real stdin only while Ink wants input, as Ink itself would.
      if (mode && !listening) source.on('data', onData);
      if (!mode && listening) source.off('data', onData);
      listening = mode;
      if (!mode) source.pause();
      return out;
    },
    ref() {
      source.ref();
      return out;
    },
    unref() {
      source.unref();
      return out;
    },
  });
  return { stdin: out as unknown as NodeJS.ReadStream, mouse };
}
