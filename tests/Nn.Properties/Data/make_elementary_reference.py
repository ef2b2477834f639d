#!/usr/bin/env python3
"""Writes elementary-reference.csv: exact values of e^x, ln x, e^x - 1, ln(1 + x), tanh x and 1/(1 + e^-x) at chosen
and seeded-random doubles, computed with mpmath at 256 bits.

The table is the independent check of the tests' own 160-bit oracle (tests/Nn.Properties/Support/HighPrecision.cs)
and of the library's kernels at the edges of their ranges. Regenerate with `python3 make_elementary_reference.py`
(mpmath 1.3); the output is deterministic.

Columns: function, x as the hex of its IEEE-754 bits, the exact value as mantissa * 2**exponent (mantissa a signed
integer of at most 200 bits), then x and the value in decimal for reading.
"""
import random
import struct

import mpmath

mpmath.mp.prec = 256


def bits(x):
    return struct.unpack("<q", struct.pack("<d", x))[0] & 0xFFFFFFFFFFFFFFFF


def double(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def binade(rng, lo, hi, signed=True):
    """A random double whose binary exponent is uniform in [lo, hi] (subnormals below -1022), random mantissa."""
    e = rng.randint(lo, hi)
    mant = rng.getrandbits(52)
    if e >= -1022:
        x = double(((e + 1023) << 52) | mant)
    else:
        top = 1 << (e + 1074)
        x = double(top | (mant & (top - 1)))
    return -x if signed and rng.random() < 0.5 else x


FUNCTIONS = {
    "exp": mpmath.exp,
    "log": mpmath.log,
    "expm1": mpmath.expm1,
    "log1p": mpmath.log1p,
    "tanh": mpmath.tanh,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
}

EDGES = {
    "exp": [1e-300, -1e-300, 5e-324, 1e-20, 0.5, -0.5, 0.34657359027997264, 1.0, -1.0, 10.0, 100.0, 700.0, 708.0,
            709.0, 709.78, 709.782712893384, -700.0, -708.0, -708.4, -709.0, -720.0, -740.0, -744.0, -745.0,
            -745.1332191019411],
    "log": [5e-324, 1e-320, 2.2250738585072014e-308, 2.225073858507201e-308, 1e-300, 0.5, 0.7071067811865476,
            0.9999999999999999, 1.0000000000000002, 1.0001, 0.999, 1.414213562373095, 1.4142135623730951, 2.0, 10.0,
            1e300, 1.7976931348623157e308],
    "expm1": [5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 2.7755575615628914e-17, 5.551115123125783e-17, 1e-16, 1e-10,
              -1e-10, 1e-5, 0.3465, 0.3466, 0.34657359027997264, 0.3467, -0.3466, -0.3467, 0.5, -0.5, 0.7, 1.0, -1.0,
              5.0, -5.0, 36.0, 36.7, 37.0, 37.5, 38.0, -36.0, -37.4, -38.0, -39.9, 40.0, 100.0, 700.0, 709.0, 709.43,
              709.44, 709.7, 709.782712893384],
    "log1p": [5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 5.551115123125783e-17, 1e-16, 1.1102230246251565e-16,
              2.220446049250313e-16, -1.1102230246251565e-16, 1e-10, -1e-10, 1e-5, -1e-5, 0.29, 0.4142135623730951,
              0.41421356237309515, -0.29289321881345254, -0.5, -0.9, -0.999, -0.9999999999999999, 0.5, 1.0, 2.0,
              1e10, 9007199254740991.0, 9007199254740992.0, 9007199254740994.0, 1e300, 1.7976931348623157e308],
    "tanh": [5e-324, -5e-324, 1e-310, 1e-300, 1e-20, 1e-8, -1e-8, 0.1, 0.25, 0.2554128118829953, 0.5,
             0.5493061443340548, 0.5493061443340549, 0.549306144334055, -0.5493061443340549, 1.0, -1.0, 2.0, 5.0,
             10.0, 18.0, 19.0, 19.06, 19.1, 20.0, 21.9, 22.0, 22.1, -19.06],
    "sigmoid": [5e-324, -5e-324, 1e-300, -1e-300, 1e-16, -1e-16, 0.5, -0.5, 1.0, -1.0, 10.0, -10.0, 30.0, -30.0, 36.0,
                36.7, 37.0, 38.0, -36.0, -37.0, 100.0, -100.0, 700.0, -700.0, -708.0, -709.0, -720.0, -740.0, -744.0,
                -745.0, -745.13],
}

RANGES = {  # binary exponents of the random arguments, and whether they take both signs
    "exp": (-1074, 10, True),
    "log": (-1074, 1023, False),
    "expm1": (-1074, 10, True),
    "log1p": (-1074, 1023, False),
    "tanh": (-1074, 5, True),
    "sigmoid": (-1074, 10, True),
}


def rows():
    rng = random.Random(20240616)
    for name, f in FUNCTIONS.items():
        lo, hi, signed = RANGES[name]
        xs = list(EDGES[name])
        xs += [binade(rng, lo, hi, signed) for _ in range(60)]
        if name == "log1p":  # (-1, 0) too
            xs += [-binade(rng, lo, -1, False) for _ in range(20)]
        for x in xs:
            y = f(mpmath.mpf(x))
            if not mpmath.isfinite(y) or not 2**-1076 < abs(y) < 2**1024:  # beyond the doubles: special values
                continue
            with mpmath.workprec(200):  # round to 200 bits
                y = +y
                sign, man, exp, _ = y._mpf_
            man = -man if sign else man
            yield name, x, man, exp, mpmath.nstr(y, 20)


def main():
    with open("elementary-reference.csv", "w", newline="\n") as out:
        out.write("function,x_bits,mantissa,exponent,x,value\n")
        for name, x, man, exp, text in rows():
            out.write(f"{name},{bits(x):016x},{man},{exp},{x!r},{text}\n")


if __name__ == "__main__":
    main()
