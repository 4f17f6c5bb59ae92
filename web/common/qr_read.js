/*
 * qr_read.js — reading a QR code from a picture or a camera frame, for the
 * wallet and the verifier pages, with the jsQR the pages embed
 * (window.jsQR, /common/vendor/jsQR.js).
 *
 * A picture is scaled down to at most MAX_SIDE pixels a side first: a phone
 * photo of 50 megapixels would otherwise take seconds and hundreds of MB of
 * canvas, and a QR code reads as well at 1600 pixels.
 */
const MAX_SIDE = 1600;

/* The text of the QR code in a drawable source (a bitmap, a video frame), or null. */
export function readQrFrom(source, width, height) {
	if (!globalThis.jsQR || !width || !height) return null;
	const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
	const canvas = document.createElement('canvas');
	canvas.width = Math.max(1, Math.round(width * scale));
	canvas.height = Math.max(1, Math.round(height * scale));
	const g = canvas.getContext('2d', { willReadFrequently: true });
	g.drawImage(source, 0, 0, canvas.width, canvas.height);
	const image = g.getImageData(0, 0, canvas.width, canvas.height);
	const found = globalThis.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
	return found ? found.data : null;
}

/* The text of the QR code in a picture file, or null (also when it is no picture). */
export async function readQrFile(file) {
	let bitmap;
	try {
		bitmap = await createImageBitmap(file);
	} catch {
		return null;
	}
	try {
		return readQrFrom(bitmap, bitmap.width, bitmap.height);
	} finally {
		bitmap.close();
	}
}
