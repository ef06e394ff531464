/*
 * CRC32C of every frame in a batch, compiled to WebAssembly with SIMD (`npm run wasm` writes
 * frame-checksums-wasm.ts from this file; frame-checksums.ts loads it). Same results as checksumFrames
 * in format.ts: each frame's CRC covers its first 8 header bytes and its payload, and goes in bytes 8..11.
 *
 * Why: the recorder checksums every frame it writes, ~2.3 KiB per request, and at full load on two
 * cores that CPU comes out of the listener's or the load's share. A table CRC runs as fast in JS as in
 * plain WebAssembly (docs/benchmarks.md, "Frame checksums" and "Where a recorded request's time goes");
 * no CRC32C instruction is reachable from a stock Node.
 *
 * How: 16 frames at a time, one per SIMD lane. The byte-wise update r = (r >> 8) ^ T[(r ^ b) & 0xff]
 * is linear, so T[x] = T[x & 15] ^ T[x & 0xf0]: two 16-entry lookups, which i8x16.swizzle does for 16
 * lanes at once, per byte of the 32-bit result (c0..c3 hold byte k of every lane's register). Each
 * step loads 16 bytes of each lane's frame and transposes them so that row j holds byte j of every
 * lane. A lane whose frame has under 16 bytes left finishes it with a scalar table loop and takes the
 * next frame, so frames of any mix of sizes keep the lanes busy.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define POLY 0x82F63B78u

static uint32_t T[8][256];   /* slicing-by-8, for the scalar parts */
static v128_t TL[4], TH[4];  /* byte k of T[n] and of T[n << 4], n = 0..15 */
static const uint8_t idle_lane[16];

__attribute__((export_name("init"))) void init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
    T[0][n] = c;
  }
  for (int k = 1; k < 8; k++)
    for (int n = 0; n < 256; n++) T[k][n] = (T[k - 1][n] >> 8) ^ T[0][T[k - 1][n] & 0xff];
  for (int k = 0; k < 4; k++) {
    uint8_t lo[16], hi[16];
    for (int n = 0; n < 16; n++) {
      lo[n] = T[0][n] >> (8 * k);
      hi[n] = T[0][n << 4] >> (8 * k);
    }
    TL[k] = wasm_v128_load(lo);
    TH[k] = wasm_v128_load(hi);
  }
}

static inline uint32_t u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static inline void put_crc(uint8_t *frame, uint32_t r) {
  uint32_t crc = ~r;
  frame[8] = crc;
  frame[9] = crc >> 8;
  frame[10] = crc >> 16;
  frame[11] = crc >> 24;
}

/* r is the CRC register (not inverted). */
static uint32_t scalar(uint32_t r, const uint8_t *p, uint32_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    uint32_t a = r ^ u32(p), b = u32(p + 4);
    r = T[7][a & 0xff] ^ T[6][(a >> 8) & 0xff] ^ T[5][(a >> 16) & 0xff] ^ T[4][a >> 24] ^
        T[3][b & 0xff] ^ T[2][(b >> 8) & 0xff] ^ T[1][(b >> 16) & 0xff] ^ T[0][b >> 24];
  }
  while (n--) r = (r >> 8) ^ T[0][(r ^ *p++) & 0xff];
  return r;
}

#define LO8(a, b) wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define HI8(a, b) wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)

/* 16x16 bytes: four rounds of interleaving row i with row i + 8 transpose the matrix. */
static inline void transpose(v128_t *m) {
  for (int round = 0; round < 4; round++) {
    v128_t t[16];
    for (int i = 0; i < 8; i++) {
      t[2 * i] = LO8(m[i], m[i + 8]);
      t[2 * i + 1] = HI8(m[i], m[i + 8]);
    }
    for (int i = 0; i < 16; i++) m[i] = t[i];
  }
}

/* One lane's frame: where its CRC goes (0: the lane is idle), what is left to read. */
struct lane {
  uint8_t *frame;
  const uint8_t *next;
  uint32_t left;
};

/*
 * Fills in the CRC of every frame in [from, to). The frames must be whole and their lengths true (the
 * caller walked them); swizzle indices are always 0..15, so the relaxed swizzle (one pshufb/tbl) is exact.
 */
__attribute__((export_name("checksum_frames"))) void checksum_frames(uint8_t *from, uint8_t *to) {
  struct lane lane[16];
  uint8_t regs[4][16] __attribute__((aligned(16))) = {{0}};
  uint8_t *next = from;
  int active = 0;
  const v128_t nibble = wasm_i8x16_splat(0x0f);

  /* Gives lane i the next frame with at least 16 payload bytes, finishing shorter ones on the way. */
#define TAKE(i)                                                                            \
  do {                                                                                     \
    lane[i] = (struct lane){0, idle_lane, UINT32_MAX};                                    \
    while (next < to) {                                                                    \
      uint8_t *f = next;                                                                   \
      uint32_t len = u32(f);                                                               \
      uint32_t r = scalar(0xffffffffu, f, 8);                                              \
      next += 12 + len;                                                                    \
      if (len < 16) {                                                                      \
        put_crc(f, scalar(r, f + 12, len));                                                \
        continue;                                                                          \
      }                                                                                    \
      lane[i] = (struct lane){f, f + 12, len};                                             \
      for (int k = 0; k < 4; k++) regs[k][i] = r >> (8 * k);                               \
      active++;                                                                            \
      break;                                                                               \
    }                                                                                      \
  } while (0)

  for (int i = 0; i < 16; i++) TAKE(i);
  while (active >= 4) {
    v128_t c0 = wasm_v128_load(regs[0]), c1 = wasm_v128_load(regs[1]), c2 = wasm_v128_load(regs[2]), c3 = wasm_v128_load(regs[3]);
    for (;;) {
      uint32_t least = lane[0].left;
      for (int i = 1; i < 16; i++) least = lane[i].left < least ? lane[i].left : least;
      if (least < 16) break;
      v128_t m[16];
      for (int i = 0; i < 16; i++) {
        m[i] = wasm_v128_load(lane[i].next);
        lane[i].next += lane[i].frame ? 16 : 0;
        lane[i].left -= 16;
      }
      transpose(m);
      for (int j = 0; j < 16; j++) {
        v128_t x = wasm_v128_xor(c0, m[j]);
        v128_t lo = wasm_v128_and(x, nibble), hi = wasm_u8x16_shr(x, 4);
        c0 = wasm_v128_xor(c1, wasm_v128_xor(wasm_i8x16_relaxed_swizzle(TL[0], lo), wasm_i8x16_relaxed_swizzle(TH[0], hi)));
        c1 = wasm_v128_xor(c2, wasm_v128_xor(wasm_i8x16_relaxed_swizzle(TL[1], lo), wasm_i8x16_relaxed_swizzle(TH[1], hi)));
        c2 = wasm_v128_xor(c3, wasm_v128_xor(wasm_i8x16_relaxed_swizzle(TL[2], lo), wasm_i8x16_relaxed_swizzle(TH[2], hi)));
        c3 = wasm_v128_xor(wasm_i8x16_relaxed_swizzle(TL[3], lo), wasm_i8x16_relaxed_swizzle(TH[3], hi));
      }
    }
    wasm_v128_store(regs[0], c0);
    wasm_v128_store(regs[1], c1);
    wasm_v128_store(regs[2], c2);
    wasm_v128_store(regs[3], c3);
    for (int i = 0; i < 16; i++) {
      if (lane[i].left >= 16) continue;
      if (lane[i].frame) {
        uint32_t r = regs[0][i] | regs[1][i] << 8 | regs[2][i] << 16 | (uint32_t)regs[3][i] << 24;
        put_crc(lane[i].frame, scalar(r, lane[i].next, lane[i].left));
        active--;
      }
      TAKE(i);
    }
  }
  /* Few frames left: one at a time is cheaper than mostly idle lanes. */
  for (int i = 0; i < 16; i++) {
    if (!lane[i].frame) continue;
    uint32_t r = regs[0][i] | regs[1][i] << 8 | regs[2][i] << 16 | (uint32_t)regs[3][i] << 24;
    put_crc(lane[i].frame, scalar(r, lane[i].next, lane[i].left));
  }
  for (uint8_t *f = next; f < to; f += 12 + u32(f)) put_crc(f, scalar(scalar(0xffffffffu, f, 8), f + 12, u32(f)));
}
