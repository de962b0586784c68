// Reads a QR code from a photo or a picture, in the browser. The decoder (@zxing/browser) is loaded
// only when a clerk first uses it, so nobody else downloads it.
//
// Photos are often cropped tight to the code: without the white quiet zone around it the decoder
// can miss it. So a picture that does not read as it is is read once more, drawn on a canvas with a
// white margin added, trying harder than the default.

const MARGIN = 0.15 // of the picture's longer side, on every edge

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image()
    image.onload = () => resolve(image)
    image.onerror = () => reject(new Error('not an image'))
    image.src = url
  })
}

function withWhiteMargin(image) {
  const pad = Math.round(Math.max(image.naturalWidth, image.naturalHeight) * MARGIN)
  const canvas = document.createElement('canvas')
  canvas.width = image.naturalWidth + 2 * pad
  canvas.height = image.naturalHeight + 2 * pad
  const context = canvas.getContext('2d')
  context.fillStyle = '#ffffff'
  context.fillRect(0, 0, canvas.width, canvas.height)
  context.drawImage(image, pad, pad)
  return canvas
}

/** The text of the QR code in `file` (an image); throws when there is none. */
export async function decodeQrImage(file) {
  const [{ BrowserQRCodeReader }, { DecodeHintType }] = await Promise.all([
    import('@zxing/browser'),
    import('@zxing/library'),
  ])
  const url = URL.createObjectURL(file)
  try {
    try {
      return (await new BrowserQRCodeReader().decodeFromImageUrl(url)).getText()
    } catch {
      const harder = new BrowserQRCodeReader(new Map([[DecodeHintType.TRY_HARDER, true]]))
      return harder.decodeFromCanvas(withWhiteMargin(await loadImage(url))).getText()
    }
  } finally {
    URL.revokeObjectURL(url)
  }
}
