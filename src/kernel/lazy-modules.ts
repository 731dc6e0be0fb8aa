/**
 * Packages loaded the first time they are needed, not at start-up: each costs a noticeable part
 * of a restart (issue 19, item 3) and most processes never use it — ExcelJS only for a
 * spreadsheet, nodemailer only for an e-mail, file-type only for an uploaded document.
 */
export const loadExcel = async () => (await import('exceljs')).default;
export const loadNodemailer = () => import('nodemailer');
export const loadFileType = () => import('file-type');
