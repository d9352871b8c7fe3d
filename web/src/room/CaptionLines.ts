// The captions on screen: the last few lines; a speaker's partial line is replaced as their
// words firm up, and taken away when the final turns out empty (nothing was said after all).

export interface CaptionLine {
  participant: string;
  name: string;
  text: string;
  final: boolean;
  guest?: boolean;
}

export interface CaptionMessage {
  participant: string;
  name: string;
  text: string;
  final: boolean;
  guest?: boolean;
}

export class CaptionLines {
  private shown: CaptionLine[] = [];

  constructor(private readonly max = 3) {}

  get lines(): readonly CaptionLine[] {
    return this.shown;
  }

  apply(message: CaptionMessage): void {
    const open = this.shown.findIndex((l) => l.participant === message.participant && !l.final);
    const line = { participant: message.participant, name: message.name, text: message.text, final: message.final,
      guest: message.guest };
    if (open >= 0) {
      if (message.text) this.shown[open] = line;
      else this.shown.splice(open, 1);  // the words were withdrawn
    } else if (message.text) {
      this.shown.push(line);
    }
    this.shown = this.shown.slice(-this.max);
  }

  clear(): void {
    this.shown = [];
  }
}
