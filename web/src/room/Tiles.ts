import { h, initials } from '../dom';
import { t } from '../i18n';
import { icon, reactionEmoji } from '../icons';
import type { Participant } from '../signaling';

// The grid of participant tiles. Tiles are kept per participant and updated in place, so a
// video element is never torn down by an unrelated change.
export class Tiles {
  readonly element = h('section', { class: 'tiles', 'data-testid': 'tiles', 'aria-label': t().participants });
  private tiles = new Map<string, { root: HTMLElement; name: HTMLElement; badges: HTMLElement; video?: HTMLVideoElement }>();

  constructor(private selfId: () => string) {}

  update(participants: Participant[], localStream: MediaStream | null): void {
    const seen = new Set<string>();
    for (const p of participants) {
      seen.add(p.id);
      let tile = this.tiles.get(p.id);
      if (!tile) {
        const root = h('div', { class: 'tile', 'data-testid': 'tile', 'data-participant-id': p.id });
        const name = h('span', { class: 'tile-name', 'data-testid': 'tile-name' });
        const badges = h('span', { class: 'tile-badges' });
        root.append(h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name)), h('div', { class: 'tile-label' }, badges, name));
        tile = { root, name, badges };
        if (p.id === this.selfId() && localStream) {
          const video = h('video', { autoplay: true, playsinline: true, muted: true, class: 'mirror', 'data-testid': 'local-video' });
          video.muted = true;
          video.srcObject = localStream;
          root.prepend(video);
          tile.video = video;
        }
        this.tiles.set(p.id, tile);
        this.element.append(root);
      }
      const self = p.id === this.selfId();
      tile.name.textContent = self ? `${p.name} (${t().you})` : p.name;
      tile.root.setAttribute('aria-label', p.name);
      tile.root.classList.toggle('video-off', p.video_muted || !tile.video);
      const badges: Node[] = [];
      if (p.hand_raised) badges.push(h('span', { class: 'badge hand', title: t().handRaised, 'data-testid': 'tile-hand' }, icon('hand')));
      if (p.audio_muted) {
        const muted = h('span', { class: 'badge', title: t().micMuted, 'data-testid': 'tile-muted' });
        muted.append(icon('micOff'));
        badges.push(muted);
      }
      tile.badges.replaceChildren(...badges);
    }
    for (const [id, tile] of this.tiles) {
      if (!seen.has(id)) {
        tile.root.remove();
        this.tiles.delete(id);
      }
    }
    // Columns follow the count, so two people split the screen and nine make a 3×3 grid.
    const columns = Math.max(1, Math.ceil(Math.sqrt(this.tiles.size)));
    this.element.style.setProperty('--columns', String(columns));
  }

  showReaction(participantId: string, reaction: string): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    const bubble = h('span', { class: 'reaction-bubble', 'aria-hidden': 'true', 'data-testid': 'reaction-bubble' }, reactionEmoji[reaction] ?? '');
    tile.root.append(bubble);
    bubble.addEventListener('animationend', () => bubble.remove());
  }
}
