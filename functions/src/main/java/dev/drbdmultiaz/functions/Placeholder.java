package dev.drbdmultiaz.functions;
final class Placeholder {}
