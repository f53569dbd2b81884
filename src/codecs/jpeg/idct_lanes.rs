//! The 8x8 and 4x4 inverse DCTs written once over four i32 lanes (`Lanes`): the same integer
//! operations as `idct::idct8_scalar` / `idct::idct4_scalar`, a column (pass 1) or a row
//! (pass 2) per lane, so the output is bit-identical to the scalar transforms (wrapping 32-bit
//! arithmetic, then a signed and an unsigned saturation that together equal the scalar clamp).
//! `wasm_simd` implements the lanes with simd128, `x86_simd` with SSE4.1; the kernels are
//! `inline(always)` so each instruction set's entry point compiles them with its own lanes.

/// libjpeg's 13-bit fixed-point constants of the transform, shared with the scalar kernels of
/// `idct` (which is why they live here, below both).
pub(super) const CONST_BITS: u32 = 13;
pub(super) const PASS1_BITS: u32 = 2;
pub(super) const FIX_0_298631336: i32 = 2446;
pub(super) const FIX_0_390180644: i32 = 3196;
pub(super) const FIX_0_541196100: i32 = 4433;
pub(super) const FIX_0_765366865: i32 = 6270;
pub(super) const FIX_0_899976223: i32 = 7373;
pub(super) const FIX_1_175875602: i32 = 9633;
pub(super) const FIX_1_501321110: i32 = 12299;
pub(super) const FIX_1_847759065: i32 = 15137;
pub(super) const FIX_1_961570560: i32 = 16069;
pub(super) const FIX_2_053119869: i32 = 16819;
pub(super) const FIX_2_562915447: i32 = 20995;
pub(super) const FIX_3_072711026: i32 = 25172;

/// Four wrapping i32 lanes and the few whole-vector moves the transforms need.
pub(super) trait Lanes: Copy {
    fn splat(v: i32) -> Self;
    /// `b[at..at + 4]` as the four lanes.
    fn load4(b: &[i32; 65], at: usize) -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, c: i32) -> Self;
    fn shl(self, n: u32) -> Self;
    /// Arithmetic shift right.
    fn sar(self, n: u32) -> Self;
    /// Rows become columns.
    fn transpose4(m: [Self; 4]) -> [Self; 4];
    /// The lanes of `lo` then `hi`, each saturated to 0..=255.
    fn bytes8(lo: Self, hi: Self) -> [u8; 8];
    /// Each vector's lanes saturated to 0..=255: four rows of four bytes.
    fn bytes4x4(rows: [Self; 4]) -> [[u8; 4]; 4];
}

#[inline(always)]
fn descale<L: Lanes>(x: L, n: u32) -> L {
    x.add(L::splat(1 << (n - 1))).sar(n)
}

#[inline(always)]
fn level<L: Lanes>(x: L) -> L {
    x.add(L::splat(128))
}

/// `idct::kernel8` on four columns or rows at once.
#[inline(always)]
fn kernel8<L: Lanes>(d: [L; 8]) -> [L; 8] {
    let z1 = d[2].add(d[6]).mul(FIX_0_541196100);
    let tmp2 = z1.sub(d[6].mul(FIX_1_847759065));
    let tmp3 = z1.add(d[2].mul(FIX_0_765366865));
    let tmp0 = d[0].add(d[4]).shl(CONST_BITS);
    let tmp1 = d[0].sub(d[4]).shl(CONST_BITS);
    let (tmp10, tmp13) = (tmp0.add(tmp3), tmp0.sub(tmp3));
    let (tmp11, tmp12) = (tmp1.add(tmp2), tmp1.sub(tmp2));

    let (t0, t1, t2, t3) = (d[7], d[5], d[3], d[1]);
    let z5 = t0.add(t2).add(t1.add(t3)).mul(FIX_1_175875602);
    let z1 = t0.add(t3).mul(-FIX_0_899976223);
    let z2 = t1.add(t2).mul(-FIX_2_562915447);
    let z3 = t0.add(t2).mul(-FIX_1_961570560).add(z5);
    let z4 = t1.add(t3).mul(-FIX_0_390180644).add(z5);
    let t0 = t0.mul(FIX_0_298631336).add(z1).add(z3);
    let t1 = t1.mul(FIX_2_053119869).add(z2).add(z4);
    let t2 = t2.mul(FIX_3_072711026).add(z2).add(z3);
    let t3 = t3.mul(FIX_1_501321110).add(z1).add(z4);
    [
        tmp10.add(t3),
        tmp11.add(t2),
        tmp12.add(t1),
        tmp13.add(t0),
        tmp13.sub(t0),
        tmp12.sub(t1),
        tmp11.sub(t2),
        tmp10.sub(t3),
    ]
}

/// `idct::kernel4` on four columns or rows at once.
#[inline(always)]
fn kernel4<L: Lanes>(d: [L; 4]) -> [L; 4] {
    let tmp10 = d[0].add(d[2]).shl(CONST_BITS);
    let tmp12 = d[0].sub(d[2]).shl(CONST_BITS);
    let z1 = d[1].add(d[3]).mul(FIX_0_541196100);
    let t0 = z1.add(d[1].mul(FIX_0_765366865));
    let t2 = z1.sub(d[3].mul(FIX_1_847759065));
    [tmp10.add(t0), tmp12.add(t2), tmp12.sub(t2), tmp10.sub(t0)]
}

/// Full-size transform, as `idct::idct8`.
#[inline(always)]
pub(super) fn idct8<L: Lanes>(block: &[i32; 65], out: &mut [u8], stride: usize) {
    // pass 1: vertical, columns 0..4 and 4..8 as two sets of lanes
    let p1 = CONST_BITS - PASS1_BITS;
    let lo = kernel8(std::array::from_fn(|r| L::load4(block, r * 8))).map(|v| descale(v, p1));
    let hi = kernel8(std::array::from_fn(|r| L::load4(block, r * 8 + 4))).map(|v| descale(v, p1));
    // pass 2: horizontal; after transposing, vector x holds column x with rows as lanes
    let p2 = CONST_BITS + PASS1_BITS + 3;
    for half in 0..2 {
        let rows = half * 4;
        let a = L::transpose4([lo[rows], lo[rows + 1], lo[rows + 2], lo[rows + 3]]);
        let b = L::transpose4([hi[rows], hi[rows + 1], hi[rows + 2], hi[rows + 3]]);
        let o = kernel8([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]).map(|v| descale(v, p2));
        // back to rows: columns 0..4 and 4..8 of rows `rows..rows + 4`
        let left = L::transpose4([o[0], o[1], o[2], o[3]]);
        let right = L::transpose4([o[4], o[5], o[6], o[7]]);
        for r in 0..4 {
            let at = (rows + r) * stride;
            out[at..at + 8].copy_from_slice(&L::bytes8(level(left[r]), level(right[r])));
        }
    }
}

/// 1/2 scale, as `idct::idct4`.
#[inline(always)]
pub(super) fn idct4<L: Lanes>(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let p1 = CONST_BITS - PASS1_BITS;
    let ws = kernel4(std::array::from_fn(|r| L::load4(block, r * 8))).map(|v| descale(v, p1));
    let p2 = CONST_BITS + PASS1_BITS + 3;
    let o = kernel4(L::transpose4(ws)).map(|v| level(descale(v, p2)));
    for (r, row) in L::bytes4x4(L::transpose4(o)).iter().enumerate() {
        out[r * stride..r * stride + 4].copy_from_slice(row);
    }
}
