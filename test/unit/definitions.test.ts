import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadDefinitions } from '../../src/files/definitions-files';
import { buildDefinitions, DefinitionsError, type RawDefinitions } from '../../src/domain/definitions';
import { ROOT } from '../support/fixtures';

// Each test copies the real flows/ and content/ into a temp dir, breaks one thing, and checks the
// problem is reported as `<file>: <path>: <message>`.
const root = ROOT;
const tempDirs: string[] = [];

function copyOfRealFiles(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-defs-'));
  tempDirs.push(dir);
  fs.cpSync(path.join(root, 'flows'), path.join(dir, 'flows'), { recursive: true });
  fs.cpSync(path.join(root, 'content'), path.join(dir, 'content'), { recursive: true });
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const load = (dir: string) => loadDefinitions({ root: dir, flowsDir: path.join(dir, 'flows'), contentDir: path.join(dir, 'content') });

/** Parses a YAML file of the copy, lets `change` edit the data, and writes it back. */
function edit(dir: string, file: string, change: (data: any) => void) {
  const full = path.join(dir, file);
  const data = parse(fs.readFileSync(full, 'utf8'));
  change(data);
  fs.writeFileSync(full, stringify(data));
}

/** The problems reported when loading `dir`; fails the test when loading succeeds. */
function problemsOf(dir: string): string[] {
  try {
    load(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionsError);
    expect((error as Error).message).toContain(`${(error as DefinitionsError).problems.length} problem(s)`);
    return (error as DefinitionsError).problems;
  }
  throw new Error('expected the definitions to be rejected');
}

/** Breaks one thing in a fresh copy and returns the problems. */
function problemsAfter(file: string, change: (data: any) => void): string[] {
  const dir = copyOfRealFiles();
  edit(dir, file, change);
  return problemsOf(dir);
}

const realWindows = parse(fs.readFileSync(path.join(root, 'content/windows.yaml'), 'utf8')).windows as { id: string; phone: { value?: string } }[];
const indexOfWindow = (id: string) => {
  const i = realWindows.findIndex((w) => w.id === id);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
};

describe('the real files', () => {
  test('load without problems, and a plain copy of them too', () => {
    expect(() => load(root)).not.toThrow();
    expect(() => load(copyOfRealFiles())).not.toThrow();
  });
});

describe('one broken thing → one precise problem', () => {
  test('a window phone 03-12 → content/windows.yaml: windows[N].phone…: not a Japanese phone number', () => {
    const n = indexOfWindow('hokenyobo');
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[n].phone.value = '03-12';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`windows[${n}].phone`);
    expect(problems[0]).toBe(`content/windows.yaml: windows[${n}].phone.value: not a Japanese phone number`);
  });

  test('an answer naming an unknown window → flows/guide.yaml: nodes.<id>.windows[i]: no window', () => {
    const problems = problemsAfter('flows/guide.yaml', (d) => {
      d.nodes['self-talk'].windows = ['concierge', 'no-such-window'];
    });
    expect(problems).toEqual(['flows/guide.yaml: nodes.self-talk.windows[1]: no window "no-such-window" in content/windows.yaml']);
  });

  test('an option pointing to a missing node → that option is named, and the node it used to reach is now unreachable', () => {
    const problems = problemsAfter('flows/guide.yaml', (d) => {
      const i = d.nodes.family.options.findIndex((o: { next: string }) => o.next === 'family-groups');
      expect(i).toBe(1);
      d.nodes.family.options[i].next = 'family-group';
    });
    expect(problems.sort()).toEqual(
      [
        'flows/guide.yaml: nodes.family.options[1].next: no node "family-group"',
        'flows/guide.yaml: nodes.family-groups: no option or command leads here',
      ].sort(),
    );
  });

  test('an unreachable node → flows/guide.yaml: nodes.<id>: no option or command leads here', () => {
    const problems = problemsAfter('flows/guide.yaml', (d) => {
      d.nodes.orphan = { kind: 'answer', windows: ['concierge'] };
    });
    expect(problems).toEqual(['flows/guide.yaml: nodes.orphan: no option or command leads here']);
  });

  test('invalid YAML → <file>: not valid YAML: <parser message>', () => {
    const dir = copyOfRealFiles();
    fs.writeFileSync(path.join(dir, 'content/ibasho.yaml'), 'rule:\n  value: [unclosed\n');
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^content\/ibasho\.yaml: not valid YAML: \S/);
  });

  test('a missing file → <file>: cannot be read (ENOENT)', () => {
    const dir = copyOfRealFiles();
    fs.rmSync(path.join(dir, 'content/crisis.yaml'));
    expect(problemsOf(dir)).toEqual(['content/crisis.yaml: cannot be read (ENOENT)']);
  });

  test('a quick-reply label over 20 characters → nodes.<id>.options[i].label', () => {
    const problems = problemsAfter('flows/guide.yaml', (d) => {
      d.nodes.start.options[0].label = 'あ'.repeat(21);
    });
    expect(problems).toEqual(['flows/guide.yaml: nodes.start.options[0].label: a button label can have at most 20 characters']);
  });

  test('a label of exactly 20 characters is fine, counted in code points (20 emoji are 40 UTF-16 units)', () => {
    const dir = copyOfRealFiles();
    edit(dir, 'flows/guide.yaml', (d) => {
      d.nodes.start.options[0].label = 'あ'.repeat(20);
      d.nodes.start.options[1].label = '😀'.repeat(20);
    });
    expect(() => load(dir)).not.toThrow();
  });

  test('a quick-reply phrase over 20 characters → content/phrases.yaml: quickReply.<name>', () => {
    const problems = problemsAfter('content/phrases.yaml', (d) => {
      d.quickReply.other = 'ほ'.repeat(21);
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^content\/phrases\.yaml: quickReply\.other: .+/);
  });

  test('a phrase missing its {phone} placeholder → content/phrases.yaml: card.callButton: must contain {phone}', () => {
    const problems = problemsAfter('content/phrases.yaml', (d) => {
      d.card.callButton = '電話する';
    });
    expect(problems).toEqual(['content/phrases.yaml: card.callButton: must contain {phone}']);
  });

  test('a fact with status unknown given as a value → names the status rule (helpsWith)', () => {
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[0].helpsWith.status = 'unknown';
    });
    expect(problems).toEqual([
      'content/windows.yaml: windows[0].helpsWith.status: only facts marked confirmed or seed-only may be shown to users',
    ]);
  });

  test('the いばしょ rule with status unknown → content/ibasho.yaml: rule.status', () => {
    const problems = problemsAfter('content/ibasho.yaml', (d) => {
      d.rule.status = 'unknown';
    });
    expect(problems).toEqual(['content/ibasho.yaml: rule.status: only facts marked confirmed or seed-only may be shown to users']);
  });

  test('a reminder at 21:00 → content/ibasho.yaml: reminders.times[N].at: pushes end at 21:00, as the announcement\'s do', () => {
    const problems = problemsAfter('content/ibasho.yaml', (d) => {
      d.reminders.times[0].at = '21:00';
    });
    expect(problems).toEqual(['content/ibasho.yaml: reminders.times[0].at: a reminder must be sent from 08:00 and before 21:00 (no pushes at night)']);
    const dir = copyOfRealFiles();
    edit(dir, 'content/ibasho.yaml', (d) => {
      d.reminders.times[0].at = '20:59';
      d.reminders.times[1].at = '08:00';
    });
    expect(() => load(dir)).not.toThrow();
  });

  test('a phone fact with status unknown → windows[N].phone, with a message that mentions status', () => {
    const n = indexOfWindow('hokenyobo');
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[n].phone.status = 'unknown';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^content/windows\\.yaml: windows\\[${n}\\]\\.phone[.:]`));
    expect(problems[0]).toContain('status');
  });

  test('an hours fact with status unknown → windows[N].hours, with a message that says what is wrong', () => {
    const n = indexOfWindow('tokyo-hss');
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[n].hours.status = 'unknown';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^content/windows\\.yaml: windows\\[${n}\\]\\.hours[.:]`));
    // A union failure must still tell the editor what to write, not zod's bare "Invalid input".
    expect(problems[0]).not.toMatch(/: Invalid input$/);
    expect(problems[0]).toMatch(/status|confirmed|seed-only|unknown: true/);
  });

  test('a window unknown phone reaching a window that does not exist → windows[N].phone.reachVia', () => {
    const n = indexOfWindow('concierge');
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[n].phone.reachVia = 'no-such-office';
    });
    expect(problems).toEqual([`content/windows.yaml: windows[${n}].phone.reachVia: no window "no-such-office"`]);
  });

  test('no answer that shows only the いばしょ window → flows/guide.yaml: nodes: where いばしょの日程 leads is named', () => {
    const problems = problemsAfter('flows/guide.yaml', (d) => {
      d.nodes.ibasho.windows = ['ibasho', 'concierge'];
    });
    expect(problems).toEqual(['flows/guide.yaml: nodes: one answer needs to show only the いばしょ window "ibasho" (いばしょの日程 leads there)']);
  });

  test('two windows with schedule: ibasho → content/windows.yaml: windows: both are named', () => {
    const n = indexOfWindow('concierge');
    const problems = problemsAfter('content/windows.yaml', (d) => {
      d.windows[n].schedule = 'ibasho';
    });
    expect(problems).toEqual(['content/windows.yaml: windows: only one window can have "schedule: ibasho"; "concierge", "ibasho" do']);
  });
});

describe('what the conversation finds in the definitions', () => {
  test('the いばしょ window and its answer, and the phone list, are worked out at load', () => {
    const defs = load(root);
    expect(defs.ibasho).toEqual({ window: 'ibasho', node: 'ibasho' });
    expect(defs.windowsById.get(defs.ibasho.window)?.schedule).toBe('ibasho');
    expect(defs.phonesNode).toBe('phones');
  });
});

describe('every problem has the shape <file>: <path>: <message>', () => {
  test('for schema, content and flow problems alike', () => {
    const dir = copyOfRealFiles();
    edit(dir, 'content/phrases.yaml', (d) => {
      d.card.callButton = '電話する';
    });
    edit(dir, 'flows/guide.yaml', (d) => {
      d.nodes.orphan = { kind: 'answer', windows: ['concierge', 'nope'] };
    });
    for (const problem of problemsOf(dir)) expect(problem).toMatch(/^(flows|content)\/[a-z]+\.yaml: [^ :]+: \S.*$/);
  });
});

describe('all problems are reported at once, not just the first', () => {
  test('schema problems in three files → all three', () => {
    const dir = copyOfRealFiles();
    const n = indexOfWindow('hokenyobo');
    edit(dir, 'content/windows.yaml', (d) => {
      d.windows[n].phone.value = '03-12';
    });
    edit(dir, 'flows/guide.yaml', (d) => {
      d.nodes.start.options[0].label = 'あ'.repeat(21);
    });
    edit(dir, 'content/ibasho.yaml', (d) => {
      d.rule.status = 'unknown';
    });
    expect(problemsOf(dir).sort()).toEqual(
      [
        `content/windows.yaml: windows[${n}].phone.value: not a Japanese phone number`,
        'flows/guide.yaml: nodes.start.options[0].label: a button label can have at most 20 characters',
        'content/ibasho.yaml: rule.status: only facts marked confirmed or seed-only may be shown to users',
      ].sort(),
    );
  });

  test('cross-file problems in the flow and the content → all of them', () => {
    const dir = copyOfRealFiles();
    edit(dir, 'content/phrases.yaml', (d) => {
      d.card.callButton = '電話する';
    });
    edit(dir, 'flows/guide.yaml', (d) => {
      d.nodes['self-talk'].windows = ['concierge', 'no-such-window'];
      d.nodes.orphan = { kind: 'answer', windows: ['concierge'] };
    });
    expect(problemsOf(dir).sort()).toEqual(
      [
        'content/phrases.yaml: card.callButton: must contain {phone}',
        'flows/guide.yaml: nodes.self-talk.windows[1]: no window "no-such-window" in content/windows.yaml',
        'flows/guide.yaml: nodes.orphan: no option or command leads here',
      ].sort(),
    );
  });

  test('a missing file and invalid YAML in another → both', () => {
    const dir = copyOfRealFiles();
    fs.rmSync(path.join(dir, 'content/crisis.yaml'));
    fs.writeFileSync(path.join(dir, 'flows/guide.yaml'), 'nodes: {start: [\n');
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(2);
    expect(problems).toContain('content/crisis.yaml: cannot be read (ENOENT)');
    expect(problems.some((p) => p.startsWith('flows/guide.yaml: not valid YAML: '))).toBe(true);
  });

  test('a schema problem in phrases.yaml and a broken link in the flow → both', () => {
    const dir = copyOfRealFiles();
    edit(dir, 'content/phrases.yaml', (d) => {
      d.greeting = '';
    });
    edit(dir, 'flows/guide.yaml', (d) => {
      d.nodes['self-talk'].windows = ['concierge', 'no-such-window'];
    });
    const problems = problemsOf(dir);
    expect(problems.some((p) => p.startsWith('content/phrases.yaml: greeting: '))).toBe(true);
    // The flow and windows.yaml parsed, so the flow's links are checked although phrases.yaml did not.
    expect(problems).toContain('flows/guide.yaml: nodes.self-talk.windows[1]: no window "no-such-window" in content/windows.yaml');
  });
});

describe('buildDefinitions on its own (no files)', () => {
  const read = (file: string) => ({ path: file, data: parse(fs.readFileSync(path.join(root, file), 'utf8')) });
  const raw = (): RawDefinitions => ({
    flow: read('flows/guide.yaml'),
    windows: read('content/windows.yaml'),
    ibasho: read('content/ibasho.yaml'),
    crisis: read('content/crisis.yaml'),
    phrases: read('content/phrases.yaml'),
    faq: read('content/faq.yaml'),
    understanding: read('content/understanding.yaml'),
  });

  test('the real data builds: a compiled flow and every window by id', () => {
    const defs = buildDefinitions(raw());
    expect(defs.flow.version).toBe('guide@1');
    expect([...defs.windowsById.keys()]).toEqual(realWindows.map((w) => w.id));
  });

  test('file paths in problems are the paths it is given', () => {
    const r = raw();
    r.crisis = { path: 'somewhere/crisis-test.yaml', data: { ...(r.crisis.data as object), crisis: [] } };
    expect(() => buildDefinitions(r)).toThrow(DefinitionsError);
    try {
      buildDefinitions(r);
    } catch (error) {
      expect((error as DefinitionsError).problems).toEqual([expect.stringMatching(/^somewhere\/crisis-test\.yaml: crisis: /)]);
    }
  });

  test('a top-level problem (the file is empty) is shown as (top level)', () => {
    const r = raw();
    r.ibasho = { path: 'content/ibasho.yaml', data: null };
    try {
      buildDefinitions(r);
      throw new Error('expected a DefinitionsError');
    } catch (error) {
      expect((error as DefinitionsError).problems).toEqual([expect.stringMatching(/^content\/ibasho\.yaml: \(top level\): /)]);
    }
  });
});

describe('content/faq.yaml, content/understanding.yaml and the crisis patterns', () => {
  test('an FAQ naming a window, a crisis line or a chat that does not exist → the file and field', () => {
    const problems = problemsAfter('content/faq.yaml', (data) => {
      data.faqs[0].windows = ['no-such-window'];
      data.faqs[0].crisisLines = ['no-such-line'];
      data.faqs[0].chat = ['no-such-chat'];
    });
    expect(problems).toEqual([
      'content/faq.yaml: faqs[0].windows[0]: no window "no-such-window" in content/windows.yaml',
      'content/faq.yaml: faqs[0].crisisLines[0]: no line "no-such-line" in content/crisis.yaml',
      'content/faq.yaml: faqs[0].chat[0]: no chat "no-such-chat" in content/crisis.yaml',
    ]);
  });

  test('an FAQ answer without provenance is refused: every fact shown says where it comes from', () => {
    const problems = problemsAfter('content/faq.yaml', (data) => {
      data.faqs[1].facts = [];
    });
    expect(problems).toEqual([expect.stringMatching(/^content\/faq\.yaml: faqs\[1\]\.facts: say where/)]);
  });

  test('an FAQ that nothing can ask → the file and field', () => {
    const problems = problemsAfter('content/faq.yaml', (data) => {
      data.faqs[0].asks = { words: [] };
    });
    expect(problems).toEqual(['content/faq.yaml: faqs[0].asks: give words or patterns']);
  });

  test('a crisis rule without endings → the file and field', () => {
    let at = -1;
    const problems = problemsAfter('content/crisis.yaml', (data) => {
      at = data.crisis.findIndex((rule: { first?: unknown }) => rule.first !== undefined);
      data.crisis[at].then = [];
    });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^content/crisis\\.yaml: crisis\\[${at}\\]\\.then: `))]);
  });

  test('a crisis rule naming a class that does not exist → the file and field', () => {
    const problems = problemsAfter('content/crisis.yaml', (data) => {
      data.crisis[0].words = 'no-such-class';
    });
    expect(problems).toEqual(['content/crisis.yaml: crisis[0].words: no class "no-such-class" in classes']);
  });

  test('a rule with two shapes at once, or an everyday rule without its proof → the file and field', () => {
    const problems = problemsAfter('content/crisis.yaml', (data) => {
      data.crisis[0].together = ['means', 'acquiring'];
      delete data.everyday[0].proof;
    });
    expect(problems).toEqual([
      expect.stringMatching(/^content\/crisis\.yaml: crisis\[0\]: give exactly one of/),
      expect.stringMatching(/^content\/crisis\.yaml: everyday\[0\]\.proof: /),
    ]);
  });

  test('a not-understood line that is not open around the clock → the file and field', () => {
    const problems = problemsAfter('content/crisis.yaml', (data) => {
      data.notUnderstoodLine = 'tokyo-hotline';
    });
    expect(problems).toEqual(['content/crisis.yaml: notUnderstoodLine: "tokyo-hotline" is not open around the clock (every day 00:00-24:00)']);
  });

  test('a family window of the crisis reply that does not exist → the file and field', () => {
    const problems = problemsAfter('content/crisis.yaml', (data) => {
      data.forFamily.windows = ['nowhere'];
    });
    expect(problems).toEqual(['content/crisis.yaml: forFamily.windows[0]: no window "nowhere"']);
  });

  test('understanding.yaml with a misspelt key → the file and field', () => {
    const problems = problemsAfter('content/understanding.yaml', (data) => {
      data.audience.familly = ['息子'];
    });
    expect(problems).toEqual([expect.stringMatching(/^content\/understanding\.yaml: audience: .*familly/)]);
  });
});
