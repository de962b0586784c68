// Draws the app icons (a white "one trip" arrow on a blue rounded square) as PNG files
// with nothing but node's zlib, so the icons can be regenerated without an image library.
// Usage: node scripts/make-icons.mjs   (writes into public/)
import { writeFileSync, mkdirSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const BLUE = [25, 137, 250] // #1989fa, Vant's primary colour and the manifest theme colour
const WHITE = [255, 255, 255]
const SAMPLES = 4 // supersampling per axis, for smooth edges

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])))
  return Buffer.concat([head, data, crc])
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function insideRoundedSquare(x, y, radius) {
  const dx = Math.max(radius - x, x - (1 - radius), 0)
  const dy = Math.max(radius - y, y - (1 - radius), 0)
  return dx * dx + dy * dy <= radius * radius
}

// The mark: a horizontal stroke (一, "one") that ends in an arrowhead (a single trip).
function insideArrow(x, y) {
  const shaft = x >= 0.3 && x <= 0.6 && Math.abs(y - 0.5) <= 0.065
  const cap = (x - 0.3) ** 2 + (y - 0.5) ** 2 <= 0.065 ** 2
  const head = x >= 0.56 && x <= 0.78 && Math.abs(y - 0.5) <= ((0.78 - x) / 0.22) * 0.2
  return shaft || cap || head
}

function drawIcon(size, { maskable }) {
  const pixels = Buffer.alloc(size * size * 4)
  const markScale = maskable ? 0.8 : 1 // keep the mark inside the maskable safe zone
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = 0
      let mark = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size
          const y = (py + (sy + 0.5) / SAMPLES) / size
          if (!maskable && !insideRoundedSquare(x, y, 0.22)) continue
          cover++
          if (insideArrow(0.5 + (x - 0.5) / markScale, 0.5 + (y - 0.5) / markScale)) mark++
        }
      }
      const i = (py * size + px) * 4
      if (cover === 0) continue
      const t = mark / cover
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(BLUE[c] * (1 - t) + WHITE[c] * t)
      pixels[i + 3] = Math.round((255 * cover) / SAMPLES ** 2)
    }
  }
  return encodePng(size, pixels)
}

// A .ico file may hold a PNG image directly (supported by every current browser).
function encodeIco(png, size) {
  const header = Buffer.alloc(22)
  header.writeUInt16LE(1, 2) // type: icon
  header.writeUInt16LE(1, 4) // one image
  header.set([size, size, 0, 0], 6)
  header.writeUInt16LE(1, 10) // colour planes
  header.writeUInt16LE(32, 12) // bits per pixel
  header.writeUInt32LE(png.length, 14)
  header.writeUInt32LE(22, 18) // image offset
  return Buffer.concat([header, png])
}

const out = new URL('../public/', import.meta.url)
mkdirSync(new URL('icons/', out), { recursive: true })
writeFileSync(new URL('icons/icon-192.png', out), drawIcon(192, { maskable: false }))
writeFileSync(new URL('icons/icon-512.png', out), drawIcon(512, { maskable: false }))
writeFileSync(new URL('icons/icon-maskable-512.png', out), drawIcon(512, { maskable: true }))
writeFileSync(new URL('icons/apple-touch-icon-180.png', out), drawIcon(180, { maskable: true }))
writeFileSync(new URL('favicon.ico', out), encodeIco(drawIcon(32, { maskable: false }), 32))
console.log('icons written to public/')
