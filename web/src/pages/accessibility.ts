import { h } from '../dom';
import { language, t } from '../i18n';
import { languageSwitch } from '../languageSwitch';

// The accessibility statement French public services must publish (RGAA 4.1, which
// follows WCAG 2.1 AA): what conforms, how it was checked, what does not yet, and how to
// ask for an accessible alternative.
const statement = {
  fr: {
    title: 'Déclaration d’accessibilité',
    sections: [
      ['État de conformité', 'Parley vise la conformité au RGAA 4.1 (WCAG 2.1 niveau AA). Il est partiellement conforme : les points non conformes sont listés ci-dessous.'],
      ['Comment c’est vérifié', 'À chaque modification, des tests automatiques ouvrent chaque page et chaque état d’une réunion (accueil, pré-réunion, salle avec discussion, participants, réactions, sous-titres, salle d’attente, fin de réunion) dans Chromium, en 1280×800 et en 390×844, et y passent axe-core (règles WCAG 2.1 A et AA) : toute violation fait échouer les tests. Une réunion complète est aussi menée au clavier seul.'],
      ['Ce qui n’est pas encore conforme', 'Le contraste des noms affichés sur la vidéo dépend de l’image et ne peut pas être vérifié automatiquement ; ils sont posés sur un fond sombre. Les sous-titres sont produits automatiquement et peuvent contenir des erreurs. Aucune interprétation en langue des signes n’est fournie par le service.'],
      ['Raccourcis', 'Ctrl+D coupe ou active le micro, Ctrl+E la caméra. Les annonces (arrivées, départs, mains levées, messages) sont transmises aux lecteurs d’écran.'],
      ['Vous rencontrez un problème ?', 'Contactez le service informatique de votre administration, qui héberge ce service : il peut vous proposer une alternative accessible. Si vous n’obtenez pas de réponse, vous pouvez saisir le Défenseur des droits.'],
    ],
  },
  en: {
    title: 'Accessibility statement',
    sections: [
      ['Conformance', 'Parley aims at RGAA 4.1 (WCAG 2.1 level AA). It is partially conformant: what does not conform yet is listed below.'],
      ['How it is checked', 'On every change, automated tests open every page and every state of a meeting (start page, pre-join, room with chat, participants, reactions, captions, waiting room, end of a meeting) in Chromium at 1280×800 and 390×844 and run axe-core (WCAG 2.1 A and AA rules) on them: any violation fails the tests. A whole meeting is also run with the keyboard alone.'],
      ['What does not conform yet', 'The contrast of names shown over video depends on the picture and cannot be checked automatically; they sit on a dark background. Captions are produced automatically and may contain errors. The service provides no sign-language interpretation.'],
      ['Shortcuts', 'Ctrl+D turns the microphone on or off, Ctrl+E the camera. Announcements (arrivals, departures, raised hands, messages) reach screen readers.'],
      ['Having a problem?', 'Contact the IT department of your administration, which hosts this service: it can offer you an accessible alternative. Without an answer, you may refer the matter to the Défenseur des droits.'],
    ],
  },
};

export function renderAccessibility(root: HTMLElement): void {
  const text = statement[language()];
  document.title = `${text.title} · Parley`;
  const heading = h('h1', { tabindex: -1, 'data-testid': 'accessibility-title' }, text.title);
  root.replaceChildren(
    h('main', { class: 'notice statement' },
      h('div', { class: 'notice-top' }, languageSwitch()),
      heading,
      ...text.sections.flatMap(([title, body]) => [h('h2', {}, title), h('p', {}, body)]),
      h('p', {}, h('a', { href: '/', class: 'button-link' }, t().backHome))),
  );
  heading.focus();
}
