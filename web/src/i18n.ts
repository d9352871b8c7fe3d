// French and English. The language comes from the browser unless the user picked one.

const en = {
  appName: 'Parley',
  tagline: 'Secure video meetings, hosted by your administration.',
  newMeeting: 'New meeting',
  signIn: 'Sign in',
  signOut: 'Sign out',
  meetingName: 'Meeting name (optional)',
  create: 'Create',
  creating: 'Creating…',
  joinWithCode: 'Join with a code',
  meetingCode: 'Meeting code',
  join: 'Join',
  codeInvalid: 'A meeting code looks like abc-defg-hij.',
  createFailed: 'The meeting could not be created. Try again.',
  notFoundTitle: 'Meeting not found',
  notFoundBody: 'Check the code or link you were given.',
  backHome: 'Back to the start page',
  readyToJoin: 'Ready to join?',
  yourName: 'Your name',
  nameRequired: 'Enter your name (1 to 64 characters).',
  joinNow: 'Join now',
  cameraOn: 'Turn camera on',
  cameraOff: 'Turn camera off',
  micOn: 'Turn microphone on',
  micOff: 'Turn microphone off',
  cameraPreview: 'Camera preview',
  devicesDenied: 'Camera and microphone access was refused. You can join without them, or allow access in your browser settings.',
  devicesMissing: 'No camera or microphone was found. You can join without them.',
  cameraUnavailable: 'Camera unavailable',
  microphoneUnavailable: 'Microphone unavailable',
  participants: 'Participants',
  chat: 'Chat',
  you: 'you',
  moderator: 'moderator',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  handRaised: 'Hand raised',
  reactions: 'Reactions',
  leave: 'Leave',
  leaveMeeting: 'Leave the meeting',
  chatPlaceholder: 'Write a message',
  send: 'Send',
  chatEmpty: 'No messages yet.',
  joinRefused: 'You cannot join this meeting',
  chatEarlier: 'Show earlier messages',
  muteParticipant: 'Mute',
  removeParticipant: 'Remove',
  mutedByModerator: (by: string) => `${by} muted your microphone.`,
  removedByModerator: (by: string) => `${by} removed you from the meeting.`,
  joinedAnnouncement: (name: string) => `${name} joined`,
  leftAnnouncement: (name: string) => `${name} left`,
  handAnnouncement: (name: string) => `${name} raised their hand`,
  chatAnnouncement: (name: string, text: string) => `${name}: ${text}`,
  reactionAnnouncement: (name: string, reaction: string) => `${name} reacted ${reaction}`,
  youLeft: 'You left the meeting.',
  rejoin: 'Rejoin',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  connectionFailed: 'The connection to the server failed.',
  copyLink: 'Copy link',
  linkCopied: 'Link copied',
  language: 'Language',
  micMuted: 'Microphone off',
  cameraOffLabel: 'Camera off',
  moreOptions: 'More',
  error: 'Error',
  screen: 'screen',
  shareScreen: 'Share your screen',
  stopSharing: 'Stop sharing',
  screenShareFailed: 'The screen could not be shared.',
  mediaFailed: 'Audio and video could not be connected',
  speaking: 'speaking',
  transcriptionActive: 'This meeting is being transcribed.',
  startTranscription: 'Start transcription',
  stopTranscription: 'Stop transcription',
  downloadTranscript: 'Download transcript',
  captionsOn: 'Show captions',
  captionsOff: 'Hide captions',
  captions: 'Captions',
  reactionNames: {
    'thumbs-up': 'thumbs up',
    clap: 'applause',
    laugh: 'laughter',
    heart: 'heart',
    party: 'celebration',
    surprised: 'surprise',
    thinking: 'thinking',
  } as Record<string, string>,
};

type Messages = typeof en;

const fr: Messages = {
  appName: 'Parley',
  tagline: 'Des réunions vidéo sécurisées, hébergées par votre administration.',
  newMeeting: 'Nouvelle réunion',
  signIn: 'Se connecter',
  signOut: 'Se déconnecter',
  meetingName: 'Nom de la réunion (facultatif)',
  create: 'Créer',
  creating: 'Création…',
  joinWithCode: 'Rejoindre avec un code',
  meetingCode: 'Code de la réunion',
  join: 'Rejoindre',
  codeInvalid: 'Un code de réunion ressemble à abc-defg-hij.',
  createFailed: 'La réunion n’a pas pu être créée. Réessayez.',
  notFoundTitle: 'Réunion introuvable',
  notFoundBody: 'Vérifiez le code ou le lien que vous avez reçu.',
  backHome: 'Retour à l’accueil',
  readyToJoin: 'Prêt à rejoindre ?',
  yourName: 'Votre nom',
  nameRequired: 'Saisissez votre nom (1 à 64 caractères).',
  joinNow: 'Rejoindre maintenant',
  cameraOn: 'Activer la caméra',
  cameraOff: 'Couper la caméra',
  micOn: 'Activer le micro',
  micOff: 'Couper le micro',
  cameraPreview: 'Aperçu de la caméra',
  devicesDenied: 'L’accès à la caméra et au micro a été refusé. Vous pouvez rejoindre sans, ou autoriser l’accès dans les réglages du navigateur.',
  devicesMissing: 'Aucune caméra ni aucun micro n’a été trouvé. Vous pouvez rejoindre sans.',
  cameraUnavailable: 'Caméra indisponible',
  microphoneUnavailable: 'Micro indisponible',
  participants: 'Participants',
  chat: 'Discussion',
  you: 'vous',
  moderator: 'modérateur',
  raiseHand: 'Lever la main',
  lowerHand: 'Baisser la main',
  handRaised: 'Main levée',
  reactions: 'Réactions',
  leave: 'Quitter',
  leaveMeeting: 'Quitter la réunion',
  chatPlaceholder: 'Écrire un message',
  send: 'Envoyer',
  chatEmpty: 'Aucun message pour l’instant.',
  joinRefused: 'Vous ne pouvez pas rejoindre cette réunion',
  chatEarlier: 'Afficher les messages précédents',
  muteParticipant: 'Couper le micro',
  removeParticipant: 'Exclure',
  mutedByModerator: (by: string) => `${by} a coupé votre micro.`,
  removedByModerator: (by: string) => `${by} vous a exclu de la réunion.`,
  joinedAnnouncement: (name: string) => `${name} a rejoint la réunion`,
  leftAnnouncement: (name: string) => `${name} a quitté la réunion`,
  handAnnouncement: (name: string) => `${name} a levé la main`,
  chatAnnouncement: (name: string, text: string) => `${name} : ${text}`,
  reactionAnnouncement: (name: string, reaction: string) => `${name} a réagi : ${reaction}`,
  youLeft: 'Vous avez quitté la réunion.',
  rejoin: 'Rejoindre à nouveau',
  connecting: 'Connexion…',
  reconnecting: 'Connexion perdue. Reconnexion…',
  connectionFailed: 'La connexion au serveur a échoué.',
  copyLink: 'Copier le lien',
  linkCopied: 'Lien copié',
  language: 'Langue',
  micMuted: 'Micro coupé',
  cameraOffLabel: 'Caméra coupée',
  moreOptions: 'Plus',
  error: 'Erreur',
  screen: 'écran',
  shareScreen: 'Partager l’écran',
  stopSharing: 'Arrêter le partage',
  screenShareFailed: 'L’écran n’a pas pu être partagé.',
  mediaFailed: 'L’audio et la vidéo n’ont pas pu être connectés',
  speaking: 'parle',
  transcriptionActive: 'Cette réunion est transcrite.',
  startTranscription: 'Démarrer la transcription',
  stopTranscription: 'Arrêter la transcription',
  downloadTranscript: 'Télécharger la transcription',
  captionsOn: 'Afficher les sous-titres',
  captionsOff: 'Masquer les sous-titres',
  captions: 'Sous-titres',
  reactionNames: {
    'thumbs-up': 'pouce levé',
    clap: 'applaudissements',
    laugh: 'rire',
    heart: 'cœur',
    party: 'fête',
    surprised: 'surprise',
    thinking: 'réflexion',
  },
};

export type Language = 'en' | 'fr';
const catalogs: Record<Language, Messages> = { en, fr };
const STORAGE_KEY = 'parley.language';

function detect(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  for (const lang of navigator.languages ?? [navigator.language]) {
    if (lang.toLowerCase().startsWith('fr')) return 'fr';
    if (lang.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

let current: Language = detect();
const listeners = new Set<() => void>();

export function t(): Messages {
  return catalogs[current];
}

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  listeners.forEach((l) => l());
}

export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

document.documentElement.lang = current;
