import { h } from '../dom';
import { t } from '../i18n';

// "Leave the meeting?" before anyone leaves by a slip of the finger; moderators may end it
// for everyone from the same place. A modal <dialog>: the browser keeps the focus inside and
// Escape cancels.
export class LeaveDialog {
  readonly element = h('dialog', { class: 'dialog', 'aria-labelledby': 'leave-title', 'data-testid': 'leave-dialog' });

  constructor(private actions: { leave(): void; endForAll(): void }) {}

  open(moderator: boolean): void {
    const m = t();
    const leave = h('button', { type: 'button', class: 'primary', 'data-testid': 'leave-confirm' }, m.leaveOnly);
    leave.addEventListener('click', () => {
      this.element.close();
      this.actions.leave();
    });
    const end = moderator ? h('button', { type: 'button', class: 'danger', 'data-testid': 'leave-end-for-all' }, m.endForAll) : null;
    end?.addEventListener('click', () => {
      this.element.close();
      this.actions.endForAll();
    });
    const cancel = h('button', { type: 'button', 'data-testid': 'leave-cancel', onclick: () => this.element.close() }, m.cancel);
    this.element.replaceChildren(
      h('h2', { id: 'leave-title' }, m.leaveTitle),
      h('p', {}, m.leaveBody),
      ...(moderator ? [h('p', {}, m.endForAllBody)] : []),
      h('div', { class: 'dialog-actions' }, cancel, end, leave),
    );
    this.element.showModal();
    leave.focus();
  }
}
