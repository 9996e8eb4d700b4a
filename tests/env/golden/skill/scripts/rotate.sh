#!/usr/bin/env bash
echo rotated "$1"
