import { spawnSync } from 'node:child_process';
import sharp from 'sharp';

/** LINE: a rich menu image is JPEG or PNG of at most 1 MB; "MB" read strictly as 1,000,000 bytes. */
export const RICH_MENU_IMAGE_MAX_BYTES = 1_000_000;

export interface RichMenuImage {
  contentType: 'image/png';
  width: number;
  height: number;
  bytes: Buffer;
}

export class RichMenuImageError extends Error {
  override name = 'RichMenuImageError';
}

/**
 * librsvg draws a missing font with another one without a word, which for Japanese may mean
 * boxes instead of letters; so ask fontconfig first. Returns a note when it cannot be asked.
 */
export function checkFontInstalled(family: string): { checked: boolean } {
  const result = spawnSync('fc-list', [`${family}:style=Bold`, 'family'], { encoding: 'utf8' });
  if (result.error) return { checked: false };
  if (!result.stdout.split('\n').some((line) => line.split(',').includes(family))) {
    throw new RichMenuImageError(`the font "${family}" (bold) is not installed; install Debian's fonts-noto-cjk (sudo apt-get install fonts-noto-cjk)`);
  }
  return { checked: true };
}

/**
 * Rasterises the menu's SVG to PNG with sharp (libvips + librsvg). Text is drawn through
 * fontconfig, so the SVG's font (Noto Sans CJK JP) must be installed: Debian's fonts-noto-cjk,
 * which `npm run test:setup` installs. Refuses a result LINE would refuse.
 */
export async function renderRichMenuImage(svg: string, size: { width: number; height: number }): Promise<RichMenuImage> {
  const { data, info } = await sharp(Buffer.from(svg, 'utf8'), { density: 72 })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 9, palette: true, quality: 100, colours: 64 })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size.width || info.height !== size.height) {
    throw new RichMenuImageError(`the picture came out ${info.width}×${info.height}, not ${size.width}×${size.height}`);
  }
  if (data.length > RICH_MENU_IMAGE_MAX_BYTES) {
    throw new RichMenuImageError(`the picture is ${data.length} bytes; LINE takes at most ${RICH_MENU_IMAGE_MAX_BYTES}`);
  }
  return { contentType: 'image/png', width: info.width, height: info.height, bytes: data };
}
