// HTML as a tagged template that escapes every value it is given (html-escaper's escape), so a
// scenario title, a step name or a captured stderr can never become markup. A value that is
// already Html (a fragment built the same way) goes in as it is; a list goes in item by item.
//
//   html`<td>${step.name}</td>`           // escaped
//   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
import { escape } from 'html-escaper';

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function piece(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  return escape(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]!) : ''), ''));
}

/** Text that is markup already: for constants of the program (a style sheet, a script), never for data. */
export function raw(text: string): Html {
  return new Html(text);
}
