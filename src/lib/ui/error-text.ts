// What a failure says to the researcher: an Error's message, anything else as text.
// One definition for the state classes and the plain job modules (which cannot import state/).

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
