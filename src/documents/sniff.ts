import { AppError } from '../kernel/errors.ts';
import { loadFileType } from '../kernel/lazy-modules.ts';

/** The evidence a reviewer reads: PDF, images, Word and Excel files — by what their bytes are. */
const allowedTypes: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'image/tiff': 'TIFF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
};

export const allowedTypeNames = [...new Set(Object.values(allowedTypes))].join(', ');

/**
 * The file's media type as its content shows it, whatever its name says; anything but the
 * allowed kinds (an executable renamed `.pdf`, an archive, a script, bytes of no known kind)
 * is refused with what it was found to be.
 */
export async function sniffMediaType(bytes: Uint8Array, name: string): Promise<string> {
  const { fileTypeFromBuffer } = await loadFileType();
  const found = await fileTypeFromBuffer(bytes);
  if (found && allowedTypes[found.mime]) return found.mime;
  const what = found ? `${found.mime} (.${found.ext})` : 'of no recognised type';
  throw new AppError(
    'unsupported_media_type',
    `${name}: its content is ${what}, whatever its name says; evidence may be ${allowedTypeNames}`,
    [{ field: 'file', message: `content is ${what}` }],
  );
}
