// Who is in the meeting, as the server tells it, and what deserves an announcement for
// screen-reader users (joins, leaves, raised hands). Pure state: no DOM.
import type { Participant, ServerMessage } from '../signaling';

export type RosterEvent =
  | { kind: 'joined'; name: string }
  | { kind: 'left'; name: string }
  | { kind: 'hand'; name: string };

export class Roster {
  private people = new Map<string, Participant>();
  selfId = '';

  get list(): Participant[] {
    return [...this.people.values()];
  }

  get(id: string): Participant | undefined {
    return this.people.get(id);
  }

  get self(): Participant | undefined {
    return this.people.get(this.selfId);
  }

  // Applies a server message; returns what to announce, if anything.
  apply(message: ServerMessage): RosterEvent | null {
    switch (message.type) {
      case 'welcome':
        this.selfId = message.you.id;
        this.people = new Map(message.participants.map((p) => [p.id, p]));
        return null;
      case 'participant-joined':
        this.people.set(message.participant.id, message.participant);
        return { kind: 'joined', name: message.participant.name };
      case 'participant-updated': {
        const before = this.people.get(message.participant.id);
        this.people.set(message.participant.id, message.participant);
        const raised = message.participant.hand_raised && !before?.hand_raised;
        return raised && message.participant.id !== this.selfId ? { kind: 'hand', name: message.participant.name } : null;
      }
      case 'participant-left': {
        const who = this.people.get(message.id);
        this.people.delete(message.id);
        return who ? { kind: 'left', name: who.name } : null;
      }
      default:
        return null;
    }
  }
}
