import type { ChoiceAction } from './reply';

/**
 * Postback data names its target node and the node it was offered on, so a button tapped long
 * after still does what its label says.
 */
export function encodePostback(action: ChoiceAction): string {
  if (action.kind === 'back') return 'back';
  if (action.kind === 'subscribe' || action.kind === 'unsubscribe') return `do=${action.kind}`;
  if (action.kind === 'reminderSettings') return 'do=reminder-settings';
  if (action.kind === 'forwardCard') return 'do=forward-card';
  if (action.kind === 'crisisLines') return 'do=crisis-lines';
  if (action.kind === 'notifyOpen') return `do=notify-open&w=${encodeURIComponent(action.window)}`;
  if (action.kind === 'moreWindows') return `do=more&n=${encodeURIComponent(action.node)}`;
  if (action.kind === 'moreCrisis') return 'do=more-crisis';
  if (action.kind === 'windowDetail') return `do=detail&w=${encodeURIComponent(action.window)}`;
  if (action.kind === 'askedBack') return `do=asked-back&a=${action.answer}`;
  const params = new URLSearchParams({ go: action.node });
  if (action.from) params.set('from', action.from);
  return params.toString();
}

export function decodePostback(data: string): ChoiceAction | null {
  if (data === 'back') return { kind: 'back' };
  if (data === 'do=subscribe') return { kind: 'subscribe' };
  if (data === 'do=unsubscribe') return { kind: 'unsubscribe' };
  if (data === 'do=reminder-settings') return { kind: 'reminderSettings' };
  if (data === 'do=forward-card') return { kind: 'forwardCard' };
  if (data === 'do=more-crisis') return { kind: 'moreCrisis' };
  if (data === 'do=crisis-lines') return { kind: 'crisisLines' };
  const params = new URLSearchParams(data);
  if (params.get('do') === 'notify-open' && params.get('w')) return { kind: 'notifyOpen', window: params.get('w')! };
  if (params.get('do') === 'more' && params.get('n')) return { kind: 'moreWindows', node: params.get('n')! };
  if (params.get('do') === 'detail' && params.get('w')) return { kind: 'windowDetail', window: params.get('w')! };
  if (params.get('do') === 'asked-back') {
    const answer = params.get('a');
    return answer === 'yes' || answer === 'notThatFar' || answer === 'listen' ? { kind: 'askedBack', answer } : null;
  }
  const node = params.get('go');
  if (!node) return null;
  const from = params.get('from');
  return from ? { kind: 'go', node, from } : { kind: 'go', node };
}
