/**
 * Content is read at start-up with js-yaml (fast); `yaml` stays for content-export's documents and the
 * test fixtures. Both must give the same data, or a staff edit could mean one thing in an export and
 * another in the running bot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readDefinitionFiles } from '../../src/files/definitions-files';
import { DefinitionsError } from '../../src/domain/definitions';

const ROOT = path.resolve(__dirname, '..', '..');

function readIn(contentDir: string, flowsDir = path.join(ROOT, 'flows')) {
  return readDefinitionFiles({ root: ROOT, flowsDir, contentDir });
}

describe('reading content/ and flows/', () => {
  test('every real file gives the same data as the yaml package', () => {
    const raw = readIn(path.join(ROOT, 'content'));
    const files = Object.values(raw);
    expect(files.length).toBe(7);
    for (const file of files) {
      expect(file.data).toEqual(parse(fs.readFileSync(path.join(ROOT, file.path), 'utf8')));
    }
  });

  describe('in a copy of content/', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-read-'));
      fs.cpSync(path.join(ROOT, 'content'), dir, { recursive: true });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('YAML 1.2 core schema: dates stay strings, yes/no and 0123 are not converted, like yaml', () => {
      const text = 'checked: 2026-11-25\nanswer: yes\nflag: true\nzip: 0123\nhex: 0x1F\nempty:\n';
      fs.writeFileSync(path.join(dir, 'ibasho.yaml'), text);
      const data = readIn(dir).ibasho.data;
      expect(data).toEqual(parse(text));
      expect(data).toEqual({ checked: '2026-11-25', answer: 'yes', flag: true, zip: 123, hex: 31, empty: null });
    });

    test('an empty file reads as null, as with yaml', () => {
      fs.writeFileSync(path.join(dir, 'faq.yaml'), '');
      expect(readIn(dir).faq.data).toBeNull();
    });

    test('a duplicate key is refused with the file and the line', () => {
      fs.writeFileSync(path.join(dir, 'ibasho.yaml'), 'a: 1\nb: 2\na: 3\n');
      let problems: string[] = [];
      try {
        readIn(dir);
      } catch (error) {
        problems = (error as DefinitionsError).problems;
      }
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^\S*ibasho\.yaml: not valid YAML: .*\(3:1\)$/);
    });
  });
});
