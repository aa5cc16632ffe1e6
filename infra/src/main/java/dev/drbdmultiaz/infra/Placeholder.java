package dev.drbdmultiaz.infra;
final class Placeholder {}
