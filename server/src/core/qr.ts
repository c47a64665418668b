import QRCode from 'qrcode';

/** QR images of an otpauth:// URI: PNG for <img>, SVG for the Craft-style API. */
export const qrPngDataUri = (text: string): Promise<string> =>
  QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 });

export const qrSvgDataUri = async (text: string): Promise<string> => {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
};
