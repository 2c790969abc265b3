"""Official documents: bilingual A4 rendering, signing, offline verification."""
