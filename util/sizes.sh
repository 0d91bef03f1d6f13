#!/bin/sh
# Print the size of each image and how much of its limit it uses.
printf '%-22s %9s  %s\n' image bytes limit
for f in "$@"; do
	size=$(stat -c %s "$f")
	case "$f" in
	*.rom) limit=65536 ;;
	*.pxe|*.kpxe|*.usb) limit=458752 ;;
	*) limit= ;;
	esac
	if [ -n "$limit" ]; then
		printf '%-22s %9d  %d%% of %d\n' "$f" "$size" $((size * 100 / limit)) "$limit"
	else
		printf '%-22s %9d\n' "$f" "$size"
	fi
done
