/*
 * Reference for tests/Nn.Properties/PrngTests.cs (golden SplitMix64 outputs).
 *
 * next() below is copied from Sebastiano Vigna's public-domain splitmix64.c
 * (https://prng.di.unimi.it/splitmix64.c, "Written in 2015 by Sebastiano Vigna"),
 * which the Nn Prng contract says Prng.Word(key, i) reproduces: word i of a key is
 * the (i+1)-th call of next() with x seeded to the key's state.
 *
 * main() also prints the Fisher–Yates permutation of 0..9 documented in Prng's remarks, for seed 42:
 * for i = n-1 down to 1, with the t-th word w (t = n-1-i), j = floor(w*(i+1) / 2^64), swap p[i] and p[j].
 *
 * Build and run:  gcc -O2 -std=gnu99 -o splitmix64_reference splitmix64_reference.c && ./splitmix64_reference
 */
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

static uint64_t x; /* The state can be seeded with any value. */

uint64_t next() {
	uint64_t z = (x += 0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

int main(void) {
	const uint64_t seeds[] = { 0, 42, 1234567 };
	for (int s = 0; s < 3; s++) {
		x = seeds[s];
		printf("seed %" PRIu64 ":", seeds[s]);
		for (int i = 0; i < 5; i++) printf(" 0x%016" PRIX64 "UL", next());
		printf("\n");
	}

	/* Permutation(Key.FromSeed(42), 10). */
	int p[10];
	for (int i = 0; i < 10; i++) p[i] = i;
	x = 42;
	for (int i = 9; i > 0; i--) {
		uint64_t w = next();
		int j = (int)(((unsigned __int128)w * (uint64_t)(i + 1)) >> 64);
		int tmp = p[i]; p[i] = p[j]; p[j] = tmp;
	}
	printf("permutation seed 42, n 10:");
	for (int i = 0; i < 10; i++) printf(" %d", p[i]);
	printf("\n");
	return 0;
}
